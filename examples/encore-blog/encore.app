{ "id": "encore-blog" }
