"""Celery time limits: every task stops before Redis would redeliver it (visibility_timeout)."""

import os
import subprocess
import sys

from django.conf import settings

from electadmin.celery import app


def our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_killed_before_the_broker_redelivers_it():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    tasks = our_tasks()

    assert "results.tasks.aggregate_contests" in tasks
    for name, task in tasks.items():
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft < hard < visibility, name


def test_workers_ack_late_and_requeue_tasks_of_a_dead_worker():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_settings_refuse_a_visibility_timeout_below_the_time_limit():
    env = {**os.environ, "DEBUG": "1", "CELERY_TASK_TIME_LIMIT": "3600", "CELERY_VISIBILITY_TIMEOUT": "1800"}
    result = subprocess.run(
        [sys.executable, "-c", "import electadmin.settings"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr


def test_settings_refuse_an_unknown_log_format():
    env = {**os.environ, "DEBUG": "1", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "-c", "import electadmin.settings"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr


def test_log_format_is_json_in_production_and_text_in_development():
    code = "import electadmin.settings as s; print(s.LOG_FORMAT)"
    base = {k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}
    production = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DEBUG": "0", "SECRET_KEY": "x" * 60},
        capture_output=True,
        text=True,
        check=True,
    )
    development = subprocess.run(
        [sys.executable, "-c", code], env={**base, "DEBUG": "1"}, capture_output=True, text=True, check=True
    )

    assert production.stdout.strip() == "json"
    assert development.stdout.strip() == "text"
