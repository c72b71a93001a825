#!/usr/bin/env node
// The container's HEALTHCHECK: GET /health on the relay's port over loopback, as plain HTTP (the
// relay behind a proxy) or HTTPS (its own or a self-signed certificate; not verified: this checks
// liveness on loopback, not identity). Exit 0 when it answers 200.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const port = Number(process.env.TIDINGS_PORT || 8787);

function healthy(request, options = {}) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', timeout: 3_000, ...options }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const ok = (await healthy(httpRequest)) || (await healthy(httpsRequest, { rejectUnauthorized: false }));
process.exit(ok ? 0 : 1);
