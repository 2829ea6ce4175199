//! Test helpers: throwaway nats-server (JetStream) and moto (S3) servers on loopback, stopped by PID when dropped.
//! A missing server skips the test with a message naming it and its install command, except under CI=true, where
//! it fails the test with that message. Tests that start one are named `nats_live_*` / `s3_live_*`: that is how
//! scripts/test-deps.mjs (cargo:nats_live, cargo:s3_live) and `npm test` know which tests need what.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct NatsServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// A test dependency that is not installed: under CI=true the test fails with `message`; otherwise the test is
/// skipped, saying so on the real stderr (libtest captures `eprintln!` of passing tests, so it would not show).
fn missing(message: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    let _ = writeln!(std::io::stderr(), "skipped: {message}");
}

impl NatsServer {
    /// Starts `nats-server -js` (Debian package `nats-server`, installed by scripts/ci-deps.d/infra.sh); None (the
    /// test skips) when it is not installed, unless CI=true.
    pub fn start() -> Option<NatsServer> {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let spawned = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing("nats-server is not installed (install: bash scripts/ci-deps.d/infra.sh)");
                return None;
            }
            Err(e) => panic!("cannot start nats-server: {e}"),
        };
        let mut server = NatsServer { child, port, _dir: dir };
        let end = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("nats-server exited ({status}) before listening on {port}");
            }
            assert!(Instant::now() < end, "nats-server did not listen on {port} within 10 s");
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway moto S3 server (`moto[server]` from PyPI, installed by scripts/ci-deps.d/s3.sh) on loopback, with
/// request signing enforced: the first requests (unauthenticated) create an IAM user with full S3 access and the
/// test buckets, after which moto checks every request's SigV4 signature against that user's key.
pub struct MotoServer {
    child: Child,
    pub port: u16,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Where scripts/ci-deps.d/s3.sh installs `moto_server` (or `$REPRISE_MOTO_SERVER`).
pub fn moto_server_path() -> PathBuf {
    if let Some(p) = std::env::var_os("REPRISE_MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    let venv = std::env::var_os("REPRISE_S3_VENV").map(PathBuf::from).unwrap_or_else(|| cache.join("reprise/moto-venv"));
    venv.join("bin/moto_server")
}

/// One unauthenticated-phase request to moto; returns (status, body).
fn raw_http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn xml_text(body: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = body.find(&open).unwrap_or_else(|| panic!("no <{tag}> in {body}")) + open.len();
    body[start..start + body[start..].find('<').unwrap()].to_string()
}

impl MotoServer {
    /// Starts moto with `buckets` created. None (test skipped, with a note on stderr) when moto is not installed,
    /// unless CI=true, where a missing server fails the test.
    pub fn start(buckets: &[&str]) -> Option<MotoServer> {
        // IAM user + key + policy + one create per bucket are the unauthenticated requests; the rest must be signed.
        let mut server = Self::spawn(false, Some(3 + buckets.len()))?;
        let port = server.port;
        // moto routes a request to IAM by the service in the Authorization header's credential scope.
        let iam = [
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        let policy = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        for body in [
            "Action=CreateUser&UserName=reprise-test&Version=2010-05-08".to_string(),
            format!("Action=PutUserPolicy&UserName=reprise-test&PolicyName=s3&PolicyDocument={policy}&Version=2010-05-08"),
        ] {
            let (status, text) = raw_http(port, "POST", "/", &iam, &body);
            assert_eq!(status, 200, "moto IAM {body}: {text}");
        }
        let (status, text) = raw_http(port, "POST", "/", &iam, "Action=CreateAccessKey&UserName=reprise-test&Version=2010-05-08");
        assert_eq!(status, 200, "moto CreateAccessKey: {text}");
        server.access_key_id = xml_text(&text, "AccessKeyId");
        server.secret_access_key = xml_text(&text, "SecretAccessKey");
        for b in buckets {
            let (status, text) = raw_http(port, "PUT", &format!("/{b}"), &[], "");
            assert_eq!(status, 200, "moto create bucket {b}: {text}");
        }
        Some(server)
    }

    /// moto with `buckets` created and no signature checking at all.
    pub fn start_unchecked(buckets: &[&str]) -> Option<MotoServer> {
        let mut server = Self::spawn(false, None)?;
        server.access_key_id = "AKIDEXAMPLE".into();
        server.secret_access_key = "unchecked".into();
        for b in buckets {
            let (status, text) = raw_http(server.port, "PUT", &format!("/{b}"), &[], "");
            assert_eq!(status, 200, "moto create bucket {b}: {text}");
        }
        Some(server)
    }

    /// moto over HTTPS (`-s`: a self-signed certificate it makes at start-up), with no authentication and no
    /// buckets: only for checking that the S3 client's TLS works.
    pub fn start_tls() -> Option<MotoServer> {
        Self::spawn(true, None)
    }

    fn spawn(tls: bool, unauthenticated: Option<usize>) -> Option<MotoServer> {
        let bin = moto_server_path();
        if !bin.exists() {
            missing(&format!("moto is not installed (install: bash scripts/ci-deps.d/s3.sh): no {}", bin.display()));
            return None;
        }
        let port = free_port();
        let mut cmd = Command::new(&bin);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null());
        if tls {
            cmd.arg("-s");
        }
        if let Some(n) = unauthenticated {
            cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", n.to_string());
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut server = MotoServer { child, port, access_key_id: String::new(), secret_access_key: String::new() };
        let end = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{} exited ({status}) before listening on {port}", bin.display());
            }
            assert!(Instant::now() < end, "moto_server did not listen on {port} within 60 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
