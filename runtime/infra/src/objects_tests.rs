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

// --- against a real S3-compatible server (moto on loopback, signatures checked) ---------------------------------

fn live_s3_config(dir: &Path, moto: &crate::testutil::MotoServer) -> BucketsConfig {
    let mut c = RuntimeConfig::defaults(dir, "local").buckets;
    c.provider = BucketProviderKind::S3;
    c.endpoint = Some(moto.endpoint());
    c.region = Some("us-east-1".into());
    c.access_key_id = Some(moto.access_key_id.clone());
    c.secret_access_key = Some(moto.secret_access_key.clone());
    c.allow_http = true;
    c.bucket_prefix = "shop-".into();
    c
}

fn live_s3_provider(dir: &Path, moto: &crate::testutil::MotoServer) -> BucketProvider {
    with_short_retries(BucketProvider::new(live_s3_config(dir, moto)))
}

fn with_short_retries(mut p: BucketProvider) -> BucketProvider {
    p.retry_timeout = Some(Duration::from_secs(5));
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_live_round_trip() {
    let Some(moto) = crate::testutil::MotoServer::start(&["shop-avatars"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let b = live_s3_provider(dir.path(), &moto).open("avatars", false).unwrap();

    let a = b.upload("u/1.png", Bytes::from_static(b"png-bytes"), UploadOptions { content_type: Some("image/png".into()), not_exists: false }).await.unwrap();
    assert_eq!(a.size, 9);
    assert!(!a.etag.is_empty(), "the server's ETag comes back");
    assert_eq!(b.download("u/1.png").await.unwrap(), Bytes::from_static(b"png-bytes"));
    let attrs = b.attrs("u/1.png").await.unwrap();
    assert_eq!((attrs.size, attrs.content_type.as_deref(), attrs.etag.as_str()), (9, Some("image/png"), a.etag.as_str()));
    assert!(b.exists("u/1.png").await.unwrap());
    assert!(!b.exists("u/2.png").await.unwrap());
    assert!(!dir.path().join("buckets").join("avatars").exists(), "nothing written to the filesystem");

    b.upload("u/2.txt", Bytes::from_static(b"two"), UploadOptions::default()).await.unwrap();
    b.upload("u/10/deep.txt", Bytes::from_static(b"deep"), UploadOptions::default()).await.unwrap();
    b.upload("other/3", Bytes::from_static(b"3"), UploadOptions::default()).await.unwrap();
    let names = |v: Vec<ListEntry>| v.into_iter().map(|e| e.name).collect::<Vec<_>>();
    assert_eq!(names(b.list(None, None).await.unwrap()), ["other/3", "u/1.png", "u/10/deep.txt", "u/2.txt"]);
    assert_eq!(names(b.list(Some("u/"), None).await.unwrap()), ["u/1.png", "u/10/deep.txt", "u/2.txt"]);
    assert_eq!(names(b.list(Some("u/1"), None).await.unwrap()), ["u/1.png", "u/10/deep.txt"], "string prefix, not only whole segments");
    assert_eq!(names(b.list(Some("u/"), Some(2)).await.unwrap()), ["u/1.png", "u/10/deep.txt"]);
    let sizes: Vec<u64> = b.list(Some("u/2"), None).await.unwrap().into_iter().map(|e| e.size).collect();
    assert_eq!(sizes, [3]);

    // Overwrite, then the notExists precondition (S3 conditional PUT, If-None-Match: *).
    b.upload("u/2.txt", Bytes::from_static(b"TWO"), UploadOptions::default()).await.unwrap();
    let e = b.upload("u/2.txt", Bytes::from_static(b"again"), UploadOptions { content_type: None, not_exists: true }).await.unwrap_err();
    assert!(matches!(e, BucketError::PreconditionFailed { .. }), "{e:?}");
    assert_eq!(b.download("u/2.txt").await.unwrap(), Bytes::from_static(b"TWO"), "not overwritten");
    b.upload("u/new.txt", Bytes::from_static(b"n"), UploadOptions { content_type: None, not_exists: true }).await.unwrap();

    // Missing objects are a typed not-found error on every operation.
    b.remove("u/1.png").await.unwrap();
    assert_eq!(b.download("u/1.png").await, Err(BucketError::NotFound { bucket: "avatars".into(), key: "u/1.png".into() }));
    assert!(matches!(b.remove("u/1.png").await, Err(BucketError::NotFound { .. })));
    assert!(matches!(b.attrs("nope").await, Err(BucketError::NotFound { .. })));
    assert!(!b.exists("u/1.png").await.unwrap());

    // Keys that escape are rejected before any request: nothing new appears in the bucket.
    for key in ["../escape", "u/../../x", "/abs", "u//x"] {
        assert!(matches!(b.upload(key, Bytes::from_static(b"x"), UploadOptions::default()).await, Err(BucketError::InvalidKey { .. })), "{key}");
    }
    assert!(matches!(b.download("../shop-avatars/u/2.txt").await, Err(BucketError::InvalidKey { .. })));
    assert!(b.list(Some("../"), None).await.is_err());
    assert_eq!(names(b.list(None, None).await.unwrap()), ["other/3", "u/10/deep.txt", "u/2.txt", "u/new.txt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_live_signed_urls_work_over_http() {
    // moto checks header signatures but not presigned-URL signatures (with checking on it answers 500 to any
    // request without an Authorization header), so this server runs unchecked: the test shows that the URLs
    // address the right object with the right method and that a client with only the URL can use them.
    let Some(moto) = crate::testutil::MotoServer::start_unchecked(&["shop-uploads"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let b = live_s3_provider(dir.path(), &moto).open("uploads", false).unwrap();
    let http = reqwest::Client::new();

    // A client with only the URL uploads, then the provider reads what it wrote.
    let put = b.signed_upload_url("in/report 1.csv", Duration::from_secs(120)).await.unwrap();
    assert!(put.starts_with(&format!("{}/shop-uploads/in/report%201.csv?", moto.endpoint())), "{put}");
    let r = http.put(&put).body("a,b\n1,2\n").send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(b.download("in/report 1.csv").await.unwrap(), Bytes::from_static(b"a,b\n1,2\n"));

    // And downloads what the provider wrote.
    b.upload("out/result.json", Bytes::from_static(br#"{"ok":true}"#), UploadOptions { content_type: Some("application/json".into()), not_exists: false }).await.unwrap();
    let get = b.signed_download_url("out/result.json", Duration::from_secs(120)).await.unwrap();
    let r = http.get(&get).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
    assert_eq!(r.text().await.unwrap(), r#"{"ok":true}"#);

    // A signed URL names one object: it does not read another (moto checks the key, not the URL's signature).
    let missing = b.signed_download_url("out/missing.json", Duration::from_secs(120)).await.unwrap();
    assert_eq!(http.get(&missing).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_live_wrong_credentials_are_a_provider_error() {
    let Some(moto) = crate::testutil::MotoServer::start(&["shop-avatars"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    // The right key signs: the server checks signatures, so the round trip above proves they are valid.
    let good = live_s3_provider(dir.path(), &moto).open("avatars", false).unwrap();
    good.upload("k", Bytes::from_static(b"v"), UploadOptions::default()).await.unwrap();

    let mut c = live_s3_config(dir.path(), &moto);
    c.secret_access_key = Some("not-the-secret".into());
    let bad = with_short_retries(BucketProvider::new(c)).open("avatars", false).unwrap();
    match bad.download("k").await {
        Err(BucketError::Provider { bucket, message }) => {
            assert_eq!(bucket, "avatars");
            assert!(message.contains("403") || message.contains("Signature"), "{message}");
        }
        other => panic!("a wrong secret must fail, got {other:?}"),
    }
    // A bucket the server does not have is its own error, naming the S3 bucket (not "object not found").
    let missing = live_s3_provider(dir.path(), &moto).open("no-such-bucket", false).unwrap();
    let want = Err(BucketError::NoSuchBucket { bucket: "no-such-bucket".into(), remote: "shop-no-such-bucket".into() });
    assert_eq!(missing.upload("k", Bytes::from_static(b"v"), UploadOptions::default()).await.map(|_| ()), want);
    assert_eq!(missing.download("k").await.map(|_| ()), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_live_https_goes_through_rustls_on_ring() {
    // The S3 client's TLS (rustls with the ring provider, see Cargo.toml) against moto's self-signed HTTPS.
    let Some(moto) = crate::testutil::MotoServer::start_tls() else { return };
    let endpoint = format!("https://127.0.0.1:{}", moto.port);
    let dir = tempfile::tempdir().unwrap();
    let mut c = RuntimeConfig::defaults(dir.path(), "local").buckets;
    c.provider = BucketProviderKind::S3;
    c.endpoint = Some(endpoint.clone());
    c.region = Some("us-east-1".into());
    c.access_key_id = Some("AKIDEXAMPLE".into());
    c.secret_access_key = Some("secret".into());
    let p = with_short_retries(BucketProvider::new(c));
    let strict = p.open("tls-bucket", false).unwrap(); // installs the ring provider, as in the runtime
    let setup = reqwest::Client::builder().tls_danger_accept_invalid_certs(true).build().unwrap();
    let r = setup.put(format!("{endpoint}/tls-bucket")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let s3 = p.s3_builder("tls-bucket").with_client_options(object_store::ClientOptions::new().with_allow_invalid_certificates(true)).build().unwrap();
    let path = ObjPath::from("over/tls.txt");
    s3.put(&path, PutPayload::from_static(b"encrypted on the wire")).await.unwrap();
    assert_eq!(s3.get(&path).await.unwrap().bytes().await.unwrap(), Bytes::from_static(b"encrypted on the wire"));
    // Without accepting the self-signed certificate the handshake is refused: the TLS really is checked.
    assert!(matches!(strict.download("over/tls.txt").await, Err(BucketError::Provider { .. })));
}

/// `cargo test --release -p reprise-infra s3_live_vs_filesystem_latency -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn s3_live_vs_filesystem_latency() {
    let Some(moto) = crate::testutil::MotoServer::start(&["shop-bench"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let n: usize = std::env::var("BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let payload = Bytes::from(vec![7u8; 4096]);
    println!("| provider | op (4 KiB, n={n}) | p50 ms | p99 ms |\n|---|---|--:|--:|");
    for (label, b) in [("filesystem", fs_provider(dir.path()).open("bench", false).unwrap()), ("s3 (moto)", live_s3_provider(dir.path(), &moto).open("bench", false).unwrap())] {
        let mut up = Vec::with_capacity(n);
        let mut down = Vec::with_capacity(n);
        for i in 0..n {
            let key = format!("k/{i}");
            let t = std::time::Instant::now();
            b.upload(&key, payload.clone(), UploadOptions::default()).await.unwrap();
            up.push(t.elapsed());
            let t = std::time::Instant::now();
            assert_eq!(b.download(&key).await.unwrap().len(), 4096);
            down.push(t.elapsed());
        }
        for (op, mut v) in [("upload", up), ("download", down)] {
            v.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!("| {label} | {op} | {:.3} | {:.3} |", ms(v[n / 2]), ms(v[(n * 99 / 100).min(n - 1)]));
        }
    }
}
