"""The local provider: `faas deploy --provider local` runs the real artifact in the real runtime.

How the pieces fit (one stage, deployed in the background):

    faas CLI ──(control API, token)──> supervisor (one detached process per stage: supervisor.py)
                                         ├─ gateway (gateway/): HTTP on 127.0.0.1 -> the front door's event
                                         ├─ pools (pool.py) of runtime processes (workers.py), one request each:
                                         │    aws   python3.X -m awslambdaric faas_entry.handler <-> runtime_api.py
                                         │    gcp   functions-framework --target handler --source faas_entry.py
                                         │    azure azure_host.py: function_app.app behind a local Functions host
                                         └─ scheduler.py (schedules) and buckets.py (bucket/queue folders)

The artifact is the emulated provider's own (its `package_target()`), unpacked per version under
the stage's state dir (state.py); the runtime clients live in cached virtual environments per
platform and Python version (runtime_env.py, interpreters.py), outside the artifact.
"""
