"""Gunicorn hooks (read from the working directory): metrics files of exited web workers are
marked dead, so /metrics adds up live processes and keeps the totals of finished ones."""


def on_starting(server):
    import os

    from bot.metrics import prepare

    prepare(os.environ.get("METRICS_DIR", "var/metrics"), "web", fresh=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
