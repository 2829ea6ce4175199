//! Error codes and their HTTP statuses (the wire contract shared with the SDK's `APIError`), plus the typed errors
//! the runtime itself can fail with. Every client-visible error body is `{"code","message","details"}`.

use serde_json::Value;
use std::fmt::Write as _;

/// The error codes of `reprise/api` `ErrCode` (same strings as encore.dev/api).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrCode {
    Ok,
    Canceled,
    Unknown,
    InvalidArgument,
    DeadlineExceeded,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    ResourceExhausted,
    FailedPrecondition,
    Aborted,
    OutOfRange,
    Unimplemented,
    Internal,
    Unavailable,
    DataLoss,
    Unauthenticated,
}

impl ErrCode {
    pub const ALL: [ErrCode; 17] = [
        ErrCode::Ok,
        ErrCode::Canceled,
        ErrCode::Unknown,
        ErrCode::InvalidArgument,
        ErrCode::DeadlineExceeded,
        ErrCode::NotFound,
        ErrCode::AlreadyExists,
        ErrCode::PermissionDenied,
        ErrCode::ResourceExhausted,
        ErrCode::FailedPrecondition,
        ErrCode::Aborted,
        ErrCode::OutOfRange,
        ErrCode::Unimplemented,
        ErrCode::Internal,
        ErrCode::Unavailable,
        ErrCode::DataLoss,
        ErrCode::Unauthenticated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrCode::Ok => "ok",
            ErrCode::Canceled => "canceled",
            ErrCode::Unknown => "unknown",
            ErrCode::InvalidArgument => "invalid_argument",
            ErrCode::DeadlineExceeded => "deadline_exceeded",
            ErrCode::NotFound => "not_found",
            ErrCode::AlreadyExists => "already_exists",
            ErrCode::PermissionDenied => "permission_denied",
            ErrCode::ResourceExhausted => "resource_exhausted",
            ErrCode::FailedPrecondition => "failed_precondition",
            ErrCode::Aborted => "aborted",
            ErrCode::OutOfRange => "out_of_range",
            ErrCode::Unimplemented => "unimplemented",
            ErrCode::Internal => "internal",
            ErrCode::Unavailable => "unavailable",
            ErrCode::DataLoss => "data_loss",
            ErrCode::Unauthenticated => "unauthenticated",
        }
    }

    pub fn parse(s: &str) -> Option<ErrCode> {
        ErrCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    pub fn status(self) -> u16 {
        match self {
            ErrCode::Ok => 200,
            ErrCode::Canceled => 499,
            ErrCode::Unknown => 500,
            ErrCode::InvalidArgument => 400,
            ErrCode::DeadlineExceeded => 504,
            ErrCode::NotFound => 404,
            ErrCode::AlreadyExists => 409,
            ErrCode::PermissionDenied => 403,
            ErrCode::ResourceExhausted => 429,
            ErrCode::FailedPrecondition => 400,
            ErrCode::Aborted => 409,
            ErrCode::OutOfRange => 400,
            ErrCode::Unimplemented => 501,
            ErrCode::Internal => 500,
            ErrCode::Unavailable => 503,
            ErrCode::DataLoss => 500,
            ErrCode::Unauthenticated => 401,
        }
    }
}

/// An error answered to the client by the runtime itself (before or instead of JavaScript).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: ErrCode,
    pub message: String,
    pub details: Option<Value>,
    /// Overrides the code's status (413, 431, 405 have no ErrCode of their own).
    pub status: Option<u16>,
}

impl ApiError {
    pub fn new(code: ErrCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), details: None, status: None }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn http_status(&self) -> u16 {
        self.status.unwrap_or_else(|| self.code.status())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ErrCode::NotFound, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(ErrCode::InvalidArgument, message)
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(ErrCode::Unauthenticated, "missing or invalid authentication")
    }

    pub fn internal() -> Self {
        ApiError::new(ErrCode::Internal, "an internal error occurred")
    }

    /// The JSON body `{"code":..,"message":..,"details":..}`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.message.len());
        out.push_str("{\"code\":\"");
        out.push_str(self.code.as_str());
        out.push_str("\",\"message\":");
        out.push_str(&serde_json::to_string(&self.message).unwrap_or_else(|_| "\"\"".into()));
        out.push_str(",\"details\":");
        match &self.details {
            Some(d) => {
                let _ = write!(out, "{}", d);
            }
            None => out.push_str("null"),
        }
        out.push('}');
        out
    }
}

/// Why the runtime refused to start or to accept a model.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("invalid app model: {0}")]
    Model(#[from] serde_json::Error),
    #[error("route conflict: {method} {path} ({service}.{endpoint}): {reason}")]
    RouteConflict { method: String, path: String, service: String, endpoint: String, reason: String },
    #[error("invalid path {path:?} for {service}.{endpoint}: {reason}")]
    BadPath { path: String, service: String, endpoint: String, reason: String },
    #[error("schema of {context}: {reason}")]
    Schema { context: String, reason: String },
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("the runtime is not started")]
    NotStarted,
    #[error("unknown endpoint index {0}")]
    UnknownEndpoint(u32),
    #[error("CORS settings of the app file: {reason}")]
    Cors { reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_the_documented_status() {
        let expected = [
            ("ok", 200),
            ("canceled", 499),
            ("unknown", 500),
            ("invalid_argument", 400),
            ("deadline_exceeded", 504),
            ("not_found", 404),
            ("already_exists", 409),
            ("permission_denied", 403),
            ("resource_exhausted", 429),
            ("failed_precondition", 400),
            ("aborted", 409),
            ("out_of_range", 400),
            ("unimplemented", 501),
            ("internal", 500),
            ("unavailable", 503),
            ("data_loss", 500),
            ("unauthenticated", 401),
        ];
        assert_eq!(expected.len(), ErrCode::ALL.len());
        for (name, status) in expected {
            let code = ErrCode::parse(name).expect(name);
            assert_eq!(code.as_str(), name);
            assert_eq!(code.status(), status, "{name}");
        }
        assert_eq!(ErrCode::parse("nope"), None);
    }

    #[test]
    fn error_body_is_escaped_json() {
        let e = ApiError::invalid("bad \"x\"\n").with_details(serde_json::json!({"field": "email"}));
        let v: Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "invalid_argument");
        assert_eq!(v["message"], "bad \"x\"\n");
        assert_eq!(v["details"]["field"], "email");
        assert_eq!(ApiError::internal().to_json(), r#"{"code":"internal","message":"an internal error occurred","details":null}"#);
    }
}
