{ "id": "hello" }
