use std::path::Path;

use super::*;
use crate::config::RuntimeConfig;

fn fs_provider(root: &Path) -> BucketProvider {
    let mut c = RuntimeConfig::defaults(root, "local").buckets;
    c.root = root.join("buckets");
    BucketProvider::new(c)
}

#[test]
fn keys_that_escape_are_rejected() {
    for key in ["", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a\\..\\b", "a\0b", "a\nb", "dir/", "..", "."] {
        match check_key(key) {
            Err(BucketError::InvalidKey { .. }) => {}
            other => panic!("{key:?} should be rejected, got {other:?}"),
        }
    }
    assert!(check_key(&"a".repeat(1025)).is_err());
    for key in ["a", "a/b/c.txt", "photos/2026/cat 1.png", "ünïcode/ключ", "a..b", ".hidden"] {
        assert!(check_key(key).is_ok(), "{key:?} should be accepted");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesystem_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = fs_provider(dir.path());
    let b = p.open("avatars", false).unwrap();
    let a = b.upload("u/1.png", Bytes::from_static(b"png-bytes"), UploadOptions { content_type: Some("image/png".into()), not_exists: false }).await.unwrap();
    assert_eq!(a.size, 9);
    assert!(dir.path().join("buckets/avatars/u/1.png").is_file(), "stored under the bucket's folder");
    assert_eq!(b.download("u/1.png").await.unwrap(), Bytes::from_static(b"png-bytes"));
    let attrs = b.attrs("u/1.png").await.unwrap();
    assert_eq!((attrs.size, attrs.content_type.as_deref()), (9, Some("image/png")));
    assert!(!attrs.etag.is_empty());
    assert!(b.exists("u/1.png").await.unwrap());
    assert!(!b.exists("u/2.png").await.unwrap());

    b.upload("u/2.txt", Bytes::from_static(b"two"), UploadOptions::default()).await.unwrap();
    b.upload("other/3", Bytes::from_static(b"3"), UploadOptions::default()).await.unwrap();
    let names = |v: Vec<ListEntry>| v.into_iter().map(|e| e.name).collect::<Vec<_>>();
    assert_eq!(names(b.list(None, None).await.unwrap()), ["other/3", "u/1.png", "u/2.txt"]);
    assert_eq!(names(b.list(Some("u/"), None).await.unwrap()), ["u/1.png", "u/2.txt"]);
    assert_eq!(names(b.list(Some("u/1"), None).await.unwrap()), ["u/1.png"], "string prefix, not only whole segments");
    assert_eq!(names(b.list(None, Some(2)).await.unwrap()).len(), 2);
    assert!(b.list(Some("../"), None).await.is_err());

    // notExists precondition
    let e = b.upload("u/2.txt", Bytes::from_static(b"again"), UploadOptions { content_type: None, not_exists: true }).await.unwrap_err();
    assert!(matches!(e, BucketError::PreconditionFailed { .. }), "{e:?}");
    assert_eq!(b.download("u/2.txt").await.unwrap(), Bytes::from_static(b"two"), "not overwritten");

    b.remove("u/1.png").await.unwrap();
    assert!(matches!(b.download("u/1.png").await, Err(BucketError::NotFound { .. })));
    assert!(matches!(b.remove("u/1.png").await, Err(BucketError::NotFound { .. })));
    assert!(matches!(b.attrs("nope").await, Err(BucketError::NotFound { .. })));

    // Escaping keys never touch the disk.
    assert!(matches!(b.upload("../escape", Bytes::new(), UploadOptions::default()).await, Err(BucketError::InvalidKey { .. })));
    assert!(!dir.path().join("buckets/escape").exists());
    assert!(matches!(b.download("/etc/hostname").await, Err(BucketError::InvalidKey { .. })));

    // Signed URLs need a provider that signs; public URLs need a public bucket.
    assert!(matches!(b.signed_download_url("u/2.txt", Duration::from_secs(60)).await, Err(BucketError::Unsupported { .. })));
    assert!(matches!(b.public_url("u/2.txt"), Err(BucketError::NotPublic { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesystem_public_urls() {
    let dir = tempfile::tempdir().unwrap();
    let b = fs_provider(dir.path()).open("public-assets", true).unwrap();
    let u = b.public_url("css/site main.css").unwrap();
    assert!(u.starts_with("file://") && u.ends_with("/buckets/public-assets/css/site%20main.css"), "{u}");

    let mut c = RuntimeConfig::defaults(dir.path(), "local").buckets;
    c.public_base_url = Some("http://127.0.0.1:4000/objects/".into());
    let b = BucketProvider::new(c).open("public-assets", true).unwrap();
    assert_eq!(b.public_url("a/b c.png").unwrap(), "http://127.0.0.1:4000/objects/public-assets/a/b%20c.png");
}

fn s3_config(root: &Path) -> BucketsConfig {
    let mut c = RuntimeConfig::defaults(root, "local").buckets;
    c.provider = BucketProviderKind::S3;
    c.endpoint = Some("http://127.0.0.1:9000".into());
    c.region = Some("us-east-1".into());
    c.access_key_id = Some("AKIDEXAMPLE".into());
    c.secret_access_key = Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into());
    c.allow_http = true;
    c.bucket_prefix = "shop-".into();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_signed_and_public_urls_are_built_locally() {
    let dir = tempfile::tempdir().unwrap();
    let p = BucketProvider::new(s3_config(dir.path()));
    let b = p.open("avatars", true).unwrap();
    let url = b.signed_download_url("u/1 x.png", Duration::from_secs(300)).await.unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(parsed.host_str(), Some("127.0.0.1"));
    assert_eq!(parsed.path(), "/shop-avatars/u/1%20x.png", "path-style, with the bucket prefix");
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q.get("X-Amz-Expires").map(String::as_str), Some("300"));
    assert_eq!(q.get("X-Amz-Algorithm").map(String::as_str), Some("AWS4-HMAC-SHA256"));
    assert!(q["X-Amz-Credential"].starts_with("AKIDEXAMPLE/"));
    assert!(q.contains_key("X-Amz-Signature"));
    let up = b.signed_upload_url("u/1.png", Duration::from_secs(60)).await.unwrap();
    assert_ne!(up, url);
    assert!(matches!(b.signed_upload_url("u/1.png", Duration::from_secs(8 * 24 * 3600)).await, Err(BucketError::InvalidTtl { .. })));
    assert!(matches!(b.signed_upload_url("../x", Duration::from_secs(60)).await, Err(BucketError::InvalidKey { .. })));
    assert_eq!(b.public_url("u/1.png").unwrap(), "http://127.0.0.1:9000/shop-avatars/u/1.png");

    let mut c = s3_config(dir.path());
    c.endpoint = None;
    c.region = Some("eu-west-1".into());
    c.buckets.insert("avatars".into(), crate::config::BucketOverride { name: Some("prod-avatars".into()), public_base_url: None });
    let b = BucketProvider::new(c).open("avatars", true).unwrap();
    assert_eq!(b.public_url("a.png").unwrap(), "https://prod-avatars.s3.eu-west-1.amazonaws.com/a.png");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_unreachable_endpoint_is_a_provider_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = s3_config(dir.path());
    c.endpoint = Some(format!("http://127.0.0.1:{}", crate::testutil::free_port()));
    let mut p = BucketProvider::new(c);
    // Keep the client's retries short so the test stays fast.
    p.retry_timeout = Some(Duration::from_millis(300));
    let b = p.open("avatars", false).unwrap();
    match b.download("k").await {
        Err(BucketError::Provider { bucket, .. }) => assert_eq!(bucket, "avatars"),
        other => panic!("{other:?}"),
    }
}
