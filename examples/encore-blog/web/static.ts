import { api } from "encore.dev/api";

export const site = api.static({ expose: true, path: "/!path", dir: "./public" });
