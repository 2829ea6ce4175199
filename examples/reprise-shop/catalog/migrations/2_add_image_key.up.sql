ALTER TABLE products ADD COLUMN image_key TEXT;
