use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn p(text: &str, env_name: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Result<RuntimeConfig, ConfigError> {
    parse(text, Path::new("/app/reprise.config.json"), Path::new("/app"), env_name, env)
}

fn key_of(e: ConfigError) -> String {
    match e {
        ConfigError::Invalid { key, .. } | ConfigError::MissingEnvVar { key, .. } => key,
        other => panic!("expected a key error, got {other:?}"),
    }
}

#[test]
fn defaults_are_embedded() {
    let c = RuntimeConfig::defaults(Path::new("/app"), "local");
    assert_eq!(c.pubsub.provider, PubSubProvider::Memory);
    assert_eq!(c.buckets.provider, BucketProviderKind::Filesystem);
    assert_eq!(c.buckets.root, Path::new("/app/.reprise/buckets"));
    assert_eq!(c.sql.data_dir, Path::new("/app/.reprise/db"));
    assert_eq!(c.database_url("users"), None);
    assert_eq!(c.tracing.exporter, TracingExporter::None);
}

#[test]
fn empty_object_equals_defaults() {
    let c = p("{}", None, &no_env).unwrap();
    let mut d = RuntimeConfig::defaults(Path::new("/app"), "local");
    d.file = Some(PathBuf::from("/app/reprise.config.json"));
    assert_eq!(c, d);
}

#[test]
fn full_config_with_environment_override() {
    let text = r#"{
      "$schema": "./node_modules/reprise/config.schema.json",
      "sql": { "server": "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "maxConnections": 4,
               "databases": { "orders": { "connectionString": "postgresql://u:p@db:5432/orders_prod" } } },
      "pubsub": { "provider": "nats", "url": "nats://127.0.0.1:4222" },
      "secrets": { "Stripe": "sk_base", "Other": "o" },
      "environments": {
        "production": {
          "pubsub": { "url": "nats://nats.internal:4222", "streamPrefix": "shop" },
          "secrets": { "Stripe": "$env:STRIPE_KEY" },
          "buckets": { "provider": "s3", "region": "eu-west-1", "bucketPrefix": "shop-" },
          "tracing": { "exporter": "otlp", "endpoint": "http://collector:4318/v1/traces", "sampleRate": 0.5 }
        }
      }
    }"#;
    let env = |k: &str| (k == "STRIPE_KEY").then(|| "sk_live".to_string());
    let local = p(text, None, &env).unwrap();
    assert_eq!(local.env, "local");
    assert_eq!(local.pubsub.url.as_deref(), Some("nats://127.0.0.1:4222"));
    assert_eq!(local.secrets["Stripe"], "sk_base");
    assert_eq!(local.database_url("users").unwrap(), "postgres://postgres@127.0.0.1:5432/users?sslmode=disable");
    assert_eq!(local.database_url("orders").unwrap(), "postgresql://u:p@db:5432/orders_prod");
    assert_eq!(local.sql.databases["orders"].max_connections, 4);

    let prod = p(text, Some("production"), &env).unwrap();
    assert_eq!(prod.env, "production");
    assert_eq!(prod.pubsub.provider, PubSubProvider::Nats, "provider inherited from the base section");
    assert_eq!(prod.pubsub.url.as_deref(), Some("nats://nats.internal:4222"));
    assert_eq!(prod.pubsub.stream_prefix, "shop");
    assert_eq!(prod.secrets["Stripe"], "sk_live");
    assert_eq!(prod.secrets["Other"], "o", "secrets merge key by key");
    assert_eq!(prod.buckets.provider, BucketProviderKind::S3);
    assert_eq!(prod.buckets.bucket_prefix, "shop-");
    assert_eq!(prod.tracing.sample_rate, 0.5);
}

#[test]
fn unknown_key_is_named_with_its_path() {
    let e = p(r#"{ "pubsub": { "provider": "nats", "url": "nats://h:1", "ulr": 1 } }"#, None, &no_env).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("expected one of"), "{msg}");
    assert_eq!(key_of(e), "pubsub.ulr");
}

#[test]
fn wrong_type_and_bad_variant_are_named() {
    let e = p(r#"{ "sql": { "maxConnections": "ten" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "sql.maxConnections");
    let e = p(r#"{ "pubsub": { "provider": "kafka" } }"#, None, &no_env).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("`pubsub.provider`") && msg.contains("kafka"), "{msg}");
}

#[test]
fn errors_in_unselected_environments_are_reported() {
    let text = r#"{ "environments": { "staging": { "buckets": { "provider": "gcs" } } } }"#;
    let e = p(text, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "environments.staging.buckets.provider");
}

#[test]
fn cross_field_rules() {
    let cases = [
        (r#"{ "pubsub": { "provider": "nats" } }"#, "pubsub.url"),
        (r#"{ "pubsub": { "provider": "nats", "url": "http://h:4222" } }"#, "pubsub.url"),
        (r#"{ "pubsub": { "url": "nats://h:4222" } }"#, "pubsub.url"),
        (r#"{ "pubsub": { "streamPrefix": "a.b" } }"#, "pubsub.streamPrefix"),
        (r#"{ "sql": { "server": "mysql://h/db" } }"#, "sql.server"),
        (r#"{ "sql": { "databases": { "x": {} } } }"#, "sql.databases.x.connectionString"),
        (r#"{ "sql": { "databases": { "x": { "connectionString": "not a url" } } } }"#, "sql.databases.x.connectionString"),
        (r#"{ "sql": { "maxConnections": 0 } }"#, "sql.maxConnections"),
        (r#"{ "buckets": { "provider": "s3" } }"#, "buckets.region"),
        (r#"{ "buckets": { "provider": "s3", "region": "r", "accessKeyId": "a" } }"#, "buckets.secretAccessKey"),
        (r#"{ "buckets": { "region": "r" } }"#, "buckets.region"),
        (r#"{ "buckets": { "publicBaseUrl": "ftp://x" } }"#, "buckets.publicBaseUrl"),
        (r#"{ "tracing": { "exporter": "otlp" } }"#, "tracing.endpoint"),
        (r#"{ "tracing": { "sampleRate": 2 } }"#, "tracing.sampleRate"),
        (r#"{ "environments": [] }"#, "environments"),
        (r#"[]"#, "(root)"),
    ];
    for (text, key) in cases {
        let e = p(text, None, &no_env).expect_err(text);
        assert_eq!(key_of(e), key, "{text}");
    }
}

#[test]
fn env_reference_missing_names_key_and_variable() {
    let e = p(r#"{ "secrets": { "Token": "$env:TOKEN_VAR" } }"#, None, &no_env).unwrap_err();
    assert_eq!(
        e,
        ConfigError::MissingEnvVar { file: "/app/reprise.config.json".into(), key: "secrets.Token".into(), var: "TOKEN_VAR".into() }
    );
    assert!(e.to_string().contains("TOKEN_VAR is not set"));
    let e = p(r#"{ "secrets": { "Token": "$env:bad-name" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "secrets.Token");
}

#[test]
fn env_reference_in_url_is_resolved_before_validation() {
    let env = |k: &str| (k == "NATS").then(|| "nats://10.0.0.1:4222".to_string());
    let c = p(r#"{ "pubsub": { "provider": "nats", "url": "$env:NATS" } }"#, None, &env).unwrap();
    assert_eq!(c.pubsub.url.as_deref(), Some("nats://10.0.0.1:4222"));
}

#[test]
fn syntax_error_has_line_and_column() {
    let e = p("{\n  \"sql\": {,\n}", None, &no_env).unwrap_err();
    match e {
        ConfigError::Syntax { line, column, .. } => assert_eq!((line, column), (2, 11)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_environment_is_an_error_only_when_requested() {
    let text = r#"{ "environments": { "production": {} } }"#;
    assert!(p(text, None, &no_env).is_ok());
    match p(text, Some("prod"), &no_env).unwrap_err() {
        ConfigError::UnknownEnvironment { env, defined, .. } => assert_eq!((env.as_str(), defined.as_str()), ("prod", "production")),
        other => panic!("{other:?}"),
    }
    assert_eq!(p("{}", Some("anything"), &no_env).unwrap().env, "anything");
}

#[test]
fn secret_env_override_wins() {
    let c = p(r#"{ "secrets": { "A": "from-file" } }"#, None, &no_env).unwrap();
    let env = |k: &str| (k == "REPRISE_SECRET_A").then(|| "from-env".to_string());
    assert_eq!(c.secret("A", &env).as_deref(), Some("from-env"));
    assert_eq!(c.secret("A", &no_env).as_deref(), Some("from-file"));
    assert_eq!(c.secret("B", &no_env), None);
}

#[test]
fn relative_paths_resolve_against_the_app_root() {
    let c = p(r#"{ "buckets": { "root": "data/objects" }, "sql": { "dataDir": "/var/db" } }"#, None, &no_env).unwrap();
    assert_eq!(c.buckets.root, Path::new("/app/data/objects"));
    assert_eq!(c.sql.data_dir, Path::new("/var/db"));
}

#[test]
fn locate_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert_eq!(locate(root, None, &no_env), None);
    std::fs::write(root.join("infra.config.json"), "{}").unwrap();
    assert_eq!(locate(root, None, &no_env), Some(root.join("infra.config.json")));
    std::fs::write(root.join("reprise.config.json"), "{}").unwrap();
    assert_eq!(locate(root, None, &no_env), Some(root.join("reprise.config.json")));
    let env = |k: &str| (k == "REPRISE_CONFIG").then(|| "other.json".to_string());
    assert_eq!(locate(root, None, &env), Some(root.join("other.json")));
    assert_eq!(locate(root, Some(Path::new("/x/y.json")), &env), Some(PathBuf::from("/x/y.json")));
}

#[test]
fn load_reports_missing_explicit_file() {
    let e = load(Path::new("/nonexistent-app"), Some(Path::new("nope.json")), &no_env).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }), "{e:?}");
}

#[test]
fn with_database_replaces_path() {
    assert_eq!(with_database("postgres://h:5/postgres", "a"), "postgres://h:5/a");
    assert_eq!(with_database("postgres://h:5", "a"), "postgres://h:5/a");
    assert_eq!(with_database("postgres://u:p@h/x?sslmode=off", "b"), "postgres://u:p@h/b?sslmode=off");
}

#[test]
fn schema_lists_exactly_the_keys_serde_accepts() {
    let schema: Value = serde_json::from_str(include_str!("../config.schema.json")).unwrap();
    let section = &schema["$defs"]["section"]["properties"];
    for (name, sub) in section.as_object().unwrap() {
        let Some(props) = sub["properties"].as_object() else { continue };
        for key in props.keys() {
            let text = format!(r#"{{ "{name}": {{ "{key}": null }} }}"#);
            if let Err(e) = p(&text, None, &no_env) {
                assert!(!e.to_string().contains("unknown field"), "schema key {name}.{key} is rejected by the parser: {e}");
            }
        }
        // And a key that is not in the schema is rejected.
        let e = p(&format!(r#"{{ "{name}": {{ "notAKey": 1 }} }}"#), None, &no_env).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
    let top: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    for k in ["sql", "pubsub", "buckets", "secrets", "tracing", "cache", "metrics", "environments", "$schema"] {
        assert!(top.iter().any(|t| *t == k), "{k} missing from the schema");
    }
}

#[test]
fn cache_defaults_to_memory_and_redis_needs_a_url() {
    let c = p("{}", None, &no_env).unwrap();
    assert_eq!(c.cache.provider, CacheProvider::Memory);
    assert_eq!(c.cache.url, None);
    let e = p(r#"{ "cache": { "provider": "redis" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "cache.url");
    let e = p(r#"{ "cache": { "url": "redis://127.0.0.1:6379" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "cache.url");
    let e = p(r#"{ "cache": { "provider": "redis", "url": "http://127.0.0.1:6379" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "cache.url");
    let e = p(r#"{ "cache": { "clusters": { "c": { "url": "redis://h" } } } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "cache.clusters.c.url");
    let c = p(
        r#"{ "cache": { "provider": "redis", "keyPrefix": "shop/", "clusters": { "c": { "url": "redis://h:1/2", "keyPrefix": "x" } } } }"#,
        None,
        &no_env,
    )
    .unwrap();
    assert_eq!(c.cache.provider, CacheProvider::Redis);
    assert_eq!(c.cache.key_prefix, "shop/");
    assert_eq!(c.cache.clusters["c"].url.as_deref(), Some("redis://h:1/2"));
}

#[test]
fn metrics_follow_the_tracing_collector_unless_told_otherwise() {
    let c = p("{}", None, &no_env).unwrap();
    assert_eq!(c.metrics.endpoint, None);
    assert_eq!(c.metrics.interval_seconds, 10);
    let otlp = r#""tracing": { "exporter": "otlp", "endpoint": "http://collector:4318/v1/traces" }"#;
    let c = p(&format!("{{ {otlp} }}"), None, &no_env).unwrap();
    assert_eq!(c.metrics.endpoint.as_deref(), Some("http://collector:4318/v1/metrics"));
    let c = p(&format!(r#"{{ {otlp}, "metrics": {{ "exporter": "none" }} }}"#), None, &no_env).unwrap();
    assert_eq!(c.metrics.endpoint, None);
    let c = p(r#"{ "metrics": { "endpoint": "http://m:1/x", "intervalSeconds": 2 } }"#, None, &no_env).unwrap();
    assert_eq!(c.metrics.endpoint.as_deref(), Some("http://m:1/x"));
    assert_eq!(c.metrics.interval_seconds, 2);
    let e = p(r#"{ "metrics": { "exporter": "otlp" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "metrics.endpoint");
    let e = p(r#"{ "metrics": { "intervalSeconds": 0 } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "metrics.intervalSeconds");
}

#[test]
fn postgres_version_names_the_production_major() {
    let c = p(r#"{ "sql": { "postgresVersion": 16 }, "environments": { "production": { "sql": { "postgresVersion": 15 } } } }"#, Some("production"), &no_env).unwrap();
    assert_eq!(c.sql.postgres_version, Some(15));
    assert_eq!(p("{}", None, &no_env).unwrap().sql.postgres_version, None);
    let e = p(r#"{ "sql": { "postgresVersion": 9 } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "sql.postgresVersion");
    let e = p(r#"{ "sql": { "postgresVersion": "16" } }"#, None, &no_env).unwrap_err();
    assert_eq!(key_of(e), "sql.postgresVersion");
}
