"""Run jobs: in this process, in forked workers (one build), or in long-lived spawned workers
(`brochure serve`). Each worker process keeps one warm Pipeline.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed

from brochure.pdf import load_weasyprint
from brochure.pipeline import Job, JobResult, Pipeline, Settings

#: This process's pipeline. One slot, replaced when the settings (templates folder, profile)
#: change: a serve worker keeps fonts and compiled templates warm between rebuilds.
_pipeline: Pipeline | None = None


def pipeline_for(settings: Settings) -> Pipeline:
    """The warm pipeline for SETTINGS; caches of file contents start empty in each build."""
    global _pipeline
    if _pipeline is None or _pipeline.settings.renderer_key != settings.renderer_key:
        _pipeline = Pipeline(settings)
    _pipeline.settings = settings
    _pipeline.renderer.start_build(settings.build_id)
    return _pipeline


def run_job(job: Job) -> JobResult:
    """One job, in whichever process runs it.

    Python's cycle collector is held off while the job renders: in a warm worker its full
    passes over WeasyPrint's long-lived caches landed mid-render and made a 0.14 s tri-fold
    take 0.25-0.33 s at random (measured under `brochure serve`). The garbage of one job is
    collected once it is done.
    """
    gc.disable()
    try:
        return pipeline_for(job.settings).run(job)
    finally:
        gc.enable()


def run_jobs(
    jobs: list[Job],
    workers: int,
    on_result: Callable[[JobResult], None],
    pool: Executor | None = None,
) -> None:
    """Run every job, slowest first; ON_RESULT hears each as it finishes.

    POOL: long-lived workers to use; otherwise one fork per core for this build only.
    """
    jobs = sorted(jobs, key=lambda job: -job.weight)
    if pool is not None:
        _collect(pool, jobs, on_result)
    elif workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            on_result(run_job(job))
    else:
        load_weasyprint()  # once here, so forked workers inherit it already imported
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, len(jobs)), context) as forked:
            _collect(forked, jobs, on_result)


def _collect(pool: Executor, jobs: list[Job], on_result: Callable[[JobResult], None]) -> None:
    futures = [pool.submit(run_job, job) for job in jobs]
    for future in as_completed(futures):
        on_result(future.result())


def start_workers(count: int) -> ProcessPoolExecutor:
    """Worker processes that stay alive between builds (brochure serve). Spawned, not forked,
    because the server already runs threads."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(count, context, initializer=_start_worker, initargs=(os.getpid(),))


def _start_worker(parent: int) -> None:
    """Import WeasyPrint once, and leave as soon as the server is gone, however it ended."""

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    load_weasyprint()
