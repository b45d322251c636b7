// janus-server.mjs — start /usr/bin/janus for a test with the integration
// suite's configuration: VideoRoom plugin and HTTP transport only, HTTP API
// on ADDR:8088, ICE on ADDR only, no STUN.
// Must run inside the test network namespace (relais-netns-run).
//
//   const janus = await startJanus({ addr: '10.77.0.1' });
//   … janus.url …  (http://10.77.0.1:8088/janus)
//   await janus.stop();
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The integration suite's templates (tests/integration/janus/*.jcfg.in,
// with @DIR@ @ADDR@ @PORT@ @SESSION_TIMEOUT@), laid out as its test-janus.c
// does: DIR/conf/*.jcfg, DIR/{plugins,transports} holding links to the only
// two modules, empty DIR/{events,loggers}, the log in DIR/janus.log.
const integrationDir = process.env.RELAIS_INTEGRATION_DIR ||
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'integration');
const templateDir = path.join(integrationDir, 'janus');
const configNames = ['janus', 'janus.transport.http', 'janus.plugin.videoroom'];

function findModule(kind, name) {
  const roots = fs.readdirSync('/usr/lib').map((d) => path.join('/usr/lib', d, 'janus'));
  roots.push('/usr/lib/janus');
  if (process.env.RELAIS_JANUS_LIBDIR) roots.unshift(process.env.RELAIS_JANUS_LIBDIR);
  for (const r of roots) {
    const p = path.join(r, kind, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`Janus module ${kind}/${name} not found (Debian package janus)`);
}

// Used only when the integration templates are absent (same settings).
const fallbackTemplates = {
  'janus': `general: {
	configs_folder = "@DIR@/conf"
	plugins_folder = "@DIR@/plugins"
	transports_folder = "@DIR@/transports"
	events_folder = "@DIR@/events"
	loggers_folder = "@DIR@/loggers"
	log_to_stdout = false
	log_to_file = "@DIR@/janus.log"
	debug_level = 4
	server_name = "relais-test"
	interface = "@ADDR@"
	session_timeout = @SESSION_TIMEOUT@
}
media: {
	ipv6 = false
	rtp_port_range = "20000-40000"
}
nat: {
	ice_enforce_list = "@ADDR@"
	ice_tcp = false
	ignore_mdns = true
}
plugins: {
}
transports: {
}
`,
  'janus.transport.http': `general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = @PORT@
	ip = "@ADDR@"
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
`,
  'janus.plugin.videoroom': `general: {
}
`,
};

async function writeConfig(dir, addr, port, sessionTimeout) {
  for (const d of ['conf', 'plugins', 'transports', 'events', 'loggers']) await fsp.mkdir(path.join(dir, d));
  await fsp.symlink(findModule('plugins', 'libjanus_videoroom.so'), path.join(dir, 'plugins', 'libjanus_videoroom.so'));
  await fsp.symlink(findModule('transports', 'libjanus_http.so'), path.join(dir, 'transports', 'libjanus_http.so'));
  let source = templateDir;
  for (const name of configNames) {
    let text;
    try {
      text = await fsp.readFile(path.join(templateDir, `${name}.jcfg.in`), 'utf8');
    } catch {
      text = fallbackTemplates[name];
      source = 'built-in fallback';
    }
    text = text.replaceAll('@DIR@', dir).replaceAll('@ADDR@', addr)
      .replaceAll('@PORT@', String(port)).replaceAll('@SESSION_TIMEOUT@', String(sessionTimeout));
    await fsp.writeFile(path.join(dir, 'conf', `${name}.jcfg`), text);
  }
  return source;
}

async function waitHttp(url, deadlineMs, child) {
  const end = Date.now() + deadlineMs;
  let lastErr = null;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`janus exited with status ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return await r.json();
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`janus did not answer on ${url}: ${lastErr}`);
}

export async function startJanus({ addr = process.env.RELAIS_TEST_ADDR, port = 8088, sessionTimeout = 60, keepDir = false } = {}) {
  if (!addr) throw new Error('RELAIS_TEST_ADDR is not set: run inside tests/integration/relais-netns-run');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'relais-janus-'));
  const configSource = await writeConfig(dir, addr, port, sessionTimeout);
  const out = fs.openSync(path.join(dir, 'janus.stdout'), 'w');
  const started = Date.now();
  const child = spawn(process.env.RELAIS_JANUS || '/usr/bin/janus',
    ['-F', path.join(dir, 'conf'), '-C', path.join(dir, 'conf', 'janus.jcfg')],
    { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const url = `http://${addr}:${port}/janus`;
  let info;
  try {
    info = await waitHttp(`${url}/info`, 10000, child);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message} (log: ${path.join(dir, 'janus.log')})`);
  }
  return {
    url,
    dir,
    log: path.join(dir, 'janus.log'),
    configSource,
    pid: child.pid,
    version: info.version_string,
    startMs: Date.now() - started,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      if (!keepDir) await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
