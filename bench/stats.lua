-- The wrk script of `make bench` (issue 11 §2, bench/wrk.py): counts the responses that are not
-- 2xx (a 500 or a redirect must never pass for a fast page) and prints one line of figures.
-- Each wrk thread runs its own Lua state: setup() keeps the threads so that done() can add up
-- their counters.
--
-- Given a file of requests after "--" (a POST page: one request a line, its method, content
-- type, cookie and body separated by tabs), each thread sends them in turn, starting at its
-- own place in the list so that two threads do not send the same request at once.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("place", #threads - 1)
end

function init(args)
   not_2xx = 0
   requests = {}
   if args[1] then
      for line in io.lines(args[1]) do
         local method, kind, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
         local headers = {["Host"] = wrk.headers["Host"], ["Content-Type"] = kind}
         if cookie ~= "" then
            headers["Cookie"] = cookie
         end
         table.insert(requests, wrk.format(method, nil, headers, body))
      end
   end
   sent = math.floor(#requests * (place or 0) / 2)
   plain = wrk.format()
end

function request()
   if #requests == 0 then
      return plain
   end
   sent = sent + 1
   return requests[(sent % #requests) + 1]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      not_2xx = not_2xx + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + thread:get("not_2xx")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "seconds": %.6f, "p50_us": %d, "p95_us": %d, "not_2xx": %d, '
         .. '"socket_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
      bad, errors.connect + errors.read + errors.write, errors.timeout))
end
