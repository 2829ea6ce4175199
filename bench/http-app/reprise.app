{ "id": "bench" }
