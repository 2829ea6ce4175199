//! Object storage behind one `Bucket` trait: a filesystem provider (the default, one folder per bucket under the
//! app's `.reprise/buckets/`) and an S3-compatible provider, both on the `object_store` crate. Object keys are
//! checked here, before any provider sees them, so no key can address a file outside its bucket.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::signer::{Method, Signer};
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::config::{BucketProviderKind, BucketsConfig};
use crate::pubsub::BoxFut;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BucketError {
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    #[error("object {key:?} not found in bucket `{bucket}`")]
    NotFound { bucket: String, key: String },
    #[error("precondition failed for object {key:?} in bucket `{bucket}` (it already exists)")]
    PreconditionFailed { bucket: String, key: String },
    /// S3 answered `NoSuchBucket`: the provider's bucket (`remote`, after `bucketPrefix`/`name`) was never created.
    #[error("bucket `{bucket}`: the S3 bucket {remote:?} does not exist (create it, or check buckets.bucketPrefix / buckets.buckets.{bucket}.name)")]
    NoSuchBucket { bucket: String, remote: String },
    #[error("bucket `{bucket}` is not public: publicUrl needs `public: true`")]
    NotPublic { bucket: String },
    #[error("{operation} is not supported by the {provider} bucket provider")]
    Unsupported { operation: &'static str, provider: &'static str },
    #[error("signed URL ttl must be between 1 second and 7 days, got {seconds} s")]
    InvalidTtl { seconds: u64 },
    #[error("bucket `{bucket}`: {message}")]
    Provider { bucket: String, message: String },
}

/// Longest accepted key, in bytes (S3's limit).
pub const MAX_KEY_LEN: usize = 1024;
pub const MAX_SIGNED_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Accepts `a/b/c.txt`-style keys; rejects anything that could escape the bucket's root or that providers treat
/// differently (absolute paths, `.`/`..` segments, empty segments, backslashes, NUL and control characters).
pub fn check_key(key: &str) -> Result<ObjPath, BucketError> {
    let bad = |reason| Err(BucketError::InvalidKey { key: key.to_string(), reason });
    if key.is_empty() {
        return bad("empty");
    }
    if key.len() > MAX_KEY_LEN {
        return bad("longer than 1024 bytes");
    }
    if key.starts_with('/') {
        return bad("absolute (starts with /)");
    }
    if key.contains('\\') {
        return bad("contains a backslash");
    }
    if key.chars().any(|c| c.is_control()) {
        return bad("contains NUL or a control character");
    }
    for seg in key.split('/') {
        match seg {
            "" => return bad("contains an empty path segment"),
            "." | ".." => return bad("contains a . or .. segment"),
            _ => {}
        }
    }
    ObjPath::parse(key).or_else(|_| bad("not a valid object path"))
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectAttrs {
    pub name: String,
    pub size: u64,
    pub etag: String,
    pub content_type: Option<String>,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListEntry {
    pub name: String,
    pub size: u64,
    pub etag: String,
}

#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    pub content_type: Option<String>,
    /// Fail with `PreconditionFailed` when the object exists.
    pub not_exists: bool,
}

pub trait Bucket: Send + Sync + 'static {
    fn upload<'a>(&'a self, key: &'a str, data: Bytes, opts: UploadOptions) -> BoxFut<'a, Result<ObjectAttrs, BucketError>>;
    fn download<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<Bytes, BucketError>>;
    fn list<'a>(&'a self, prefix: Option<&'a str>, limit: Option<usize>) -> BoxFut<'a, Result<Vec<ListEntry>, BucketError>>;
    fn remove<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<(), BucketError>>;
    fn attrs<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<ObjectAttrs, BucketError>>;
    fn exists<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<bool, BucketError>> {
        Box::pin(async move {
            match self.attrs(key).await {
                Ok(_) => Ok(true),
                Err(BucketError::NotFound { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }
    fn signed_upload_url<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFut<'a, Result<String, BucketError>>;
    fn signed_download_url<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFut<'a, Result<String, BucketError>>;
    fn public_url(&self, key: &str) -> Result<String, BucketError>;
}

/// Opens buckets by name according to the runtime config.
pub struct BucketProvider {
    config: BucketsConfig,
    /// S3 provider: how long one request may keep retrying (None = object_store's default, 3 minutes).
    pub retry_timeout: Option<Duration>,
}

impl BucketProvider {
    pub fn new(config: BucketsConfig) -> Self {
        BucketProvider { config, retry_timeout: None }
    }

    pub fn open(&self, name: &str, public: bool) -> Result<Arc<dyn Bucket>, BucketError> {
        let ov = self.config.buckets.get(name).cloned().unwrap_or_default();
        let public_base = ov.public_base_url.or_else(|| self.config.public_base_url.as_ref().map(|b| format!("{}/{name}", b.trim_end_matches('/'))));
        let perr = |e: object_store::Error| BucketError::Provider { bucket: name.to_string(), message: e.to_string() };
        match self.config.provider {
            BucketProviderKind::Filesystem => {
                let dir = self.config.root.join(name);
                std::fs::create_dir_all(&dir).map_err(|e| BucketError::Provider { bucket: name.into(), message: format!("cannot create {}: {e}", dir.display()) })?;
                let store = LocalFileSystem::new_with_prefix(&dir).map_err(perr)?;
                let public_base = public_base.or_else(|| public.then(|| url::Url::from_directory_path(&dir).map(|u| u.to_string().trim_end_matches('/').to_string()).unwrap_or_default()));
                Ok(Arc::new(StoreBucket {
                    name: name.into(),
                    store: Arc::new(store),
                    signer: None,
                    meta_dir: Some(self.config.root.join(".meta").join(name)),
                    remote: None,
                    public,
                    public_base,
                    provider: "filesystem",
                }))
            }
            BucketProviderKind::S3 => {
                let remote = ov.name.unwrap_or_else(|| format!("{}{name}", self.config.bucket_prefix));
                let s3 = Arc::new(self.s3_builder(&remote).build().map_err(perr)?);
                let public_base = public_base.or_else(|| public.then(|| self.s3_public_base(&remote)));
                Ok(Arc::new(StoreBucket { name: name.into(), store: s3.clone(), signer: Some(s3), meta_dir: None, remote: Some(remote), public, public_base, provider: "s3" }))
            }
        }
    }

    /// The S3 client configuration for a bucket (exposed so tests can check what requests would be built).
    pub fn s3_builder(&self, remote: &str) -> AmazonS3Builder {
        install_tls_crypto_provider();
        let c = &self.config;
        let mut b = AmazonS3Builder::new().with_bucket_name(remote).with_allow_http(c.allow_http);
        if let Some(r) = &c.region {
            b = b.with_region(r);
        }
        if let Some(e) = &c.endpoint {
            // Custom endpoints (MinIO, moto, R2...) use path-style addressing.
            b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
        }
        if let (Some(k), Some(s)) = (&c.access_key_id, &c.secret_access_key) {
            b = b.with_access_key_id(k).with_secret_access_key(s);
        }
        if let Some(t) = self.retry_timeout {
            b = b.with_retry(object_store::RetryConfig { retry_timeout: t, max_retries: 1, ..Default::default() });
        }
        b
    }

    fn s3_public_base(&self, remote: &str) -> String {
        match &self.config.endpoint {
            Some(e) => format!("{}/{remote}", e.trim_end_matches('/')),
            None => format!("https://{remote}.s3.{}.amazonaws.com", self.config.region.as_deref().unwrap_or("us-east-1")),
        }
    }
}

/// The S3 client's HTTPS goes through reqwest's rustls with no crypto provider compiled in (see Cargo.toml: ring
/// instead of aws-lc-rs), so ring is made the process-wide default before the first client is built. A default
/// someone else installed first is kept.
fn install_tls_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

struct StoreBucket {
    name: String,
    store: Arc<dyn ObjectStore>,
    signer: Option<Arc<AmazonS3>>,
    /// Filesystem provider: content types live in sidecar files here (the local store keeps no attributes).
    meta_dir: Option<PathBuf>,
    /// S3 provider: the bucket's name on the server.
    remote: Option<String>,
    public: bool,
    public_base: Option<String>,
    provider: &'static str,
}

impl StoreBucket {
    fn map_err(&self, key: &str, e: object_store::Error) -> BucketError {
        // A 404 is "no such object" unless S3's error body says the bucket itself is missing (HEAD answers have no
        // body, so attrs/exists/remove on a missing bucket still read as a missing object).
        if let (Some(remote), object_store::Error::NotFound { .. }) = (&self.remote, &e) {
            if e.to_string().contains("<Code>NoSuchBucket</Code>") {
                return BucketError::NoSuchBucket { bucket: self.name.clone(), remote: remote.clone() };
            }
        }
        match e {
            object_store::Error::NotFound { .. } => BucketError::NotFound { bucket: self.name.clone(), key: key.into() },
            object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. } => {
                BucketError::PreconditionFailed { bucket: self.name.clone(), key: key.into() }
            }
            other => BucketError::Provider { bucket: self.name.clone(), message: other.to_string() },
        }
    }

    fn sidecar(&self, key: &str) -> Option<PathBuf> {
        self.meta_dir.as_ref().map(|d| d.join(key))
    }

    async fn sign(&self, method: Method, key: &str, ttl: Duration, op: &'static str) -> Result<String, BucketError> {
        let path = check_key(key)?;
        if ttl.is_zero() || ttl > MAX_SIGNED_TTL {
            return Err(BucketError::InvalidTtl { seconds: ttl.as_secs() });
        }
        let Some(signer) = &self.signer else {
            return Err(BucketError::Unsupported { operation: op, provider: self.provider });
        };
        signer.signed_url(method, &path, ttl).await.map(|u| u.to_string()).map_err(|e| self.map_err(key, e))
    }
}

impl Bucket for StoreBucket {
    fn upload<'a>(&'a self, key: &'a str, data: Bytes, opts: UploadOptions) -> BoxFut<'a, Result<ObjectAttrs, BucketError>> {
        Box::pin(async move {
            let path = check_key(key)?;
            let mut attributes = Attributes::new();
            if let (Some(ct), None) = (&opts.content_type, &self.meta_dir) {
                attributes.insert(Attribute::ContentType, ct.clone().into());
            }
            let mode = if opts.not_exists { PutMode::Create } else { PutMode::Overwrite };
            let size = data.len() as u64;
            let r = self
                .store
                .put_opts(&path, PutPayload::from_bytes(data), PutOptions { mode, attributes, ..Default::default() })
                .await
                .map_err(|e| self.map_err(key, e))?;
            if let Some(side) = self.sidecar(key) {
                let write = async {
                    match &opts.content_type {
                        Some(ct) => {
                            tokio::fs::create_dir_all(side.parent().unwrap()).await?;
                            tokio::fs::write(&side, ct).await
                        }
                        None => match tokio::fs::remove_file(&side).await {
                            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                            _ => Ok(()),
                        },
                    }
                };
                write.await.map_err(|e| BucketError::Provider { bucket: self.name.clone(), message: format!("content type of {key:?}: {e}") })?;
            }
            Ok(ObjectAttrs { name: key.into(), size, etag: r.e_tag.unwrap_or_default(), content_type: opts.content_type, version: r.version })
        })
    }

    fn download<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<Bytes, BucketError>> {
        Box::pin(async move {
            let path = check_key(key)?;
            let r = self.store.get(&path).await.map_err(|e| self.map_err(key, e))?;
            r.bytes().await.map_err(|e| self.map_err(key, e))
        })
    }

    fn list<'a>(&'a self, prefix: Option<&'a str>, limit: Option<usize>) -> BoxFut<'a, Result<Vec<ListEntry>, BucketError>> {
        Box::pin(async move {
            // object_store lists by whole path segments; a prefix like "img/ca" must also match "img/cat.png",
            // so list from the prefix's directory and filter by the string prefix.
            let (dir, want) = match prefix.filter(|p| !p.is_empty()) {
                Some(p) => {
                    if p.contains("..") || p.starts_with('/') || p.contains('\0') {
                        return Err(BucketError::InvalidKey { key: p.into(), reason: "prefix may not escape the bucket" });
                    }
                    let dir = p.rsplit_once('/').map(|(d, _)| d.to_string());
                    (dir, p.to_string())
                }
                None => (None, String::new()),
            };
            let dir_path = match &dir {
                Some(d) => Some(check_key(d)?),
                None => None,
            };
            let mut out = Vec::new();
            let mut stream = self.store.list(dir_path.as_ref());
            while let Some(item) = stream.next().await {
                let meta = item.map_err(|e| self.map_err(prefix.unwrap_or(""), e))?;
                let name = meta.location.to_string();
                if name.starts_with(&want) {
                    out.push(ListEntry { name, size: meta.size, etag: meta.e_tag.unwrap_or_default() });
                }
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            if let Some(n) = limit {
                out.truncate(n);
            }
            Ok(out)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<(), BucketError>> {
        Box::pin(async move {
            let path = check_key(key)?;
            // S3 deletes are idempotent; report a missing object the same way on every provider.
            self.store.head(&path).await.map_err(|e| self.map_err(key, e))?;
            self.store.delete(&path).await.map_err(|e| self.map_err(key, e))?;
            if let Some(side) = self.sidecar(key) {
                let _ = tokio::fs::remove_file(side).await;
            }
            Ok(())
        })
    }

    fn attrs<'a>(&'a self, key: &'a str) -> BoxFut<'a, Result<ObjectAttrs, BucketError>> {
        Box::pin(async move {
            let path = check_key(key)?;
            let (meta, content_type) = if let Some(side) = self.sidecar(key) {
                let meta = self.store.head(&path).await.map_err(|e| self.map_err(key, e))?;
                (meta, tokio::fs::read_to_string(side).await.ok())
            } else {
                let r = self.store.get_opts(&path, object_store::GetOptions { head: true, ..Default::default() }).await.map_err(|e| self.map_err(key, e))?;
                let ct = r.attributes.get(&Attribute::ContentType).map(|v| v.to_string());
                (r.meta, ct)
            };
            Ok(ObjectAttrs { name: key.into(), size: meta.size, etag: meta.e_tag.unwrap_or_default(), content_type, version: meta.version })
        })
    }

    fn signed_upload_url<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFut<'a, Result<String, BucketError>> {
        Box::pin(self.sign(Method::PUT, key, ttl, "signedUploadUrl"))
    }

    fn signed_download_url<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFut<'a, Result<String, BucketError>> {
        Box::pin(self.sign(Method::GET, key, ttl, "signedDownloadUrl"))
    }

    fn public_url(&self, key: &str) -> Result<String, BucketError> {
        check_key(key)?;
        if !self.public {
            return Err(BucketError::NotPublic { bucket: self.name.clone() });
        }
        let base = self.public_base.clone().unwrap_or_default();
        let mut u = url::Url::parse(&format!("{}/", base.trim_end_matches('/')))
            .map_err(|e| BucketError::Provider { bucket: self.name.clone(), message: format!("public base URL {base:?}: {e}") })?;
        u.path_segments_mut().map_err(|_| BucketError::Provider { bucket: self.name.clone(), message: format!("public base URL {base:?} cannot have a path") })?.pop_if_empty().extend(key.split('/'));
        Ok(u.to_string())
    }
}

#[cfg(test)]
#[path = "objects_tests.rs"]
mod tests;
