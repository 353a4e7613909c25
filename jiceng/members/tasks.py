"""Background tasks of the members app, run by the job worker (`manage.py db_worker`).

Each task takes a job id and does one step; the job row says what happened (see core/jobs.py).
"""

from django_tasks import task


@task()
def inspect_import(job_id: int) -> None:
    from .imports.service import run_step

    run_step("inspect", job_id)


@task()
def check_import(job_id: int) -> None:
    from .imports.service import run_step

    run_step("check", job_id)


@task()
def commit_import(job_id: int) -> None:
    from .imports.service import run_step

    run_step("commit", job_id)


@task()
def write_export(job_id: int) -> None:
    from .exports import run_export_job

    run_export_job(job_id)
