-- wrk: POST the PNG named by the environment variable BENCH_PNG as multipart/form-data field "image".
local file = io.open(os.getenv("BENCH_PNG"), "rb")
local png = file:read("*a")
file:close()
local boundary = "----wrk-bench-boundary"
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n"
  .. "Content-Disposition: form-data; name=\"image\"; filename=\"bench.png\"\r\n"
  .. "Content-Type: image/png\r\n\r\n" .. png .. "\r\n--" .. boundary .. "--\r\n"

function done(summary, latency, requests)
  -- One machine-readable line for the driver script.
  io.write(string.format("RESULT %f %f %f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
end
