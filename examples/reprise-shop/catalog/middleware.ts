import { middleware } from "reprise/api";
import log from "reprise/log";

/** Logs how long each exposed catalog endpoint takes. */
export const requestTiming = middleware({ target: { expose: true } }, async (req, next) => {
  const started = Date.now();
  const resp = await next(req);
  log.info("catalog request", { endpoint: req.requestMeta?.api?.endpoint, ms: Date.now() - started });
  return resp;
});
