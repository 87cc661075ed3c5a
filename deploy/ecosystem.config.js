// PM2 ecosystem file for Talvix runners.
//
//   pm2 start deploy/ecosystem.config.js            # the general runner
//   pm2 start deploy/ecosystem.config.js --only talvix-apply,talvix-xvfb   # the execution server
//   pm2 logs talvix-runner                          # one JSON object per line
//   pm2 save && pm2 startup                         # start on boot
//
// DOPPLER_TOKEN must be in the environment pm2 runs in (or use `doppler setup` for the user): Doppler then
// injects TALVIX_DATABASE_URL, TALVIX_ENCRYPTION_KEY and API keys. Never put those in this file.

const common = {
  cwd: "/var/lib/talvix",
  interpreter: "none",
  autorestart: true,
  restart_delay: 5000,
  // SIGTERM, then wait longer than runner.grace_seconds (default 30) before SIGKILL.
  kill_timeout: 45000,
  env: {
    TALVIX_DATA_DIR: "/var/lib/talvix",
    TALVIX_STORAGE_ROOT: "/storage",
    PYTHONUNBUFFERED: "1",
  },
};

module.exports = {
  apps: [
    {
      ...common,
      name: "talvix-runner",
      script: "/usr/bin/doppler",
      args: "run -- /opt/talvix/venv/bin/talvix --config /etc/talvix/talvix.toml runner --concurrency 4",
    },
    {
      ...common,
      name: "talvix-apply",
      script: "/usr/bin/doppler",
      args: "run -- /opt/talvix/venv/bin/talvix --config /etc/talvix/talvix.toml runner --agents apply --concurrency 2 --no-schedule",
      env: { ...common.env, DISPLAY: ":99" },
    },
    {
      name: "talvix-xvfb",
      script: "/usr/bin/Xvfb",
      args: ":99 -screen 0 1920x1080x24 -nolisten tcp -noreset",
      interpreter: "none",
      autorestart: true,
    },
  ],
};
