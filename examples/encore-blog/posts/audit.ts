import { middleware } from "encore.dev/api";
import log from "encore.dev/log";

/** Records who changed what on authenticated endpoints. */
export const audit = middleware({ target: { auth: true } }, async (req, next) => {
  const resp = await next(req);
  log.info("audit", { endpoint: req.requestMeta?.api?.endpoint });
  return resp;
});
