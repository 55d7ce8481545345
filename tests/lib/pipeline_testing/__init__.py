"""The project's Python test library: what the test suites and the benchmarks share.

- `stack`: the three services started natively on one set of resources (`Stack`), or a stack
  already running (`ExternalStack`, e.g. docker compose); the emulator's settings.
- `stacks`: stacks on fresh resources and free ports for one test (`StackFactory`), stopped and
  deleted afterwards; SIGTERM and kill -9 of a service.
- `aws`: S3 and SQS seen directly (keys, queue depths) and the dead-letter queue's name.
- `pngs`: PNGs to upload, good, large, damaged or header only.
- `uploads`: uploads through the upload API, one at a time or at a steady rate.
- `notifier`: the notifier's list, and waiting for images to reach a state.
- `waiting`: bounded waiting, readiness and metrics of a service.
- `raw_http`: requests no client library sends.
- `proxy`: a loopback TCP proxy that injects network faults between the services and the emulator.

`scripts/venv.sh` puts `tests/lib` on the path of the project's `.venv`, so anything run with its
Python imports `pipeline_testing` like an installed package.
"""
