-- wrk script: POST Akita batches of `size` messages with unique message ids, Basic auth.
-- Arguments (after `--`): batch size, run tag (keeps ids unique across runs), API key as
-- base64 of "key:". Types rotate contact, account, 4 events, 4 pages over 1,000 persons, with
-- timestamps moving forward, so the simulator applies every message (no duplicates).
-- done() prints one JSON line the Python side reads.

local size, tag, persons = 1, "run", 1000
local next_thread = 1
local counter = 0
local base = 1767225600 -- 2026-01-01T00:00:00Z

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  size = tonumber(args[1])
  tag = args[2] .. "-" .. tostring(thread_id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Basic " .. args[3]
end

local function message(n)
  local who = n % persons
  local kind = n % 10
  local at = os.date("!%Y-%m-%dT%H:%M:%S", base + math.floor(n / 10)) ..
    string.format(".%03dZ", n % 1000)
  local head = string.format('"message_id":"%s-%d","timestamp":"%s"', tag, n, at)
  if kind == 0 then
    return string.format('{"type":"contact",%s,"person_id":"user-%d","organization_id":"org-%d",' ..
      '"traits":{"email":"user-%d@example.com","plan":"pro"}}', head, who, who % 100, who)
  elseif kind == 1 then
    return string.format('{"type":"account",%s,"organization_id":"org-%d","person_id":"user-%d",' ..
      '"traits":{"name":"Account %d"}}', head, who % 100, who, who % 100)
  elseif kind < 6 then
    return string.format('{"type":"event",%s,"person_id":"user-%d","event":"Report Exported",' ..
      '"properties":{"value":%d}}', head, who, n % 100)
  end
  return string.format('{"type":"page",%s,"person_id":"user-%d","name":"Pricing",' ..
    '"category":null,"properties":{"path":"/pricing"}}', head, who)
end

function request()
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    parts[i] = message(counter)
  end
  return wrk.format(nil, nil, nil, '{"batch":[' .. table.concat(parts, ",") .. ']}')
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n', summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
