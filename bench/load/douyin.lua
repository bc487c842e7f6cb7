-- wrk script for the minitok load benchmark (bench/load/run.sh starts it; see README.md).
--
--   wrk -t1 -c64 -d10s --latency -s douyin.lua http://127.0.0.1:PORT \
--       -- SCENARIO TOKENS_FILE USERS VIDEOS OFFSET
--
-- SCENARIO   feed | feed_token | user | publish_list | comment_list | chat
--            | favorite | comment | relation | login
-- TOKENS_FILE  lines "user_id<TAB>token" (from `minitok seed --tokens-out`); "-" for none
-- USERS, VIDEOS  id ranges of the seeded data (1..USERS, 1..VIDEOS)
-- OFFSET     first index of the write sequence, so that two runs never send the same pair
--
-- Reads pick the token round-robin per request and the target (user_id, video_id, to_user_id)
-- log-uniformly over its range (low ids, the popular ones, more often). Writes walk
-- (token user) x (target) deterministically: request i uses token user i mod T and target
-- MAX - floor(i / T), so no (user, target) pair repeats within MAX * T requests, and the
-- targets start at the high (least popular, so least likely already liked/followed) end.
--
-- Every response body is checked: a Douyin answer must start with {"status_code":0
-- (the envelope's first key); anything else counts as an API error. done() prints one line
-- "BENCH_RESULT key=value ..." that run.sh parses (latencies in microseconds).

local scenario, tokens, users, videos, offset
local ids, toks, ntok = {}, {}, 0
local seq = 0
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }

-- per-thread counters, read back in done() through thread:get()
bad = 0
sample = ""

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local function load_tokens(path)
  if path == nil or path == "-" then return end
  local f = assert(io.open(path, "r"), "cannot open tokens file " .. path)
  for line in f:lines() do
    local id, tok = line:match("^(%d+)\t(%S+)")
    if id then
      ntok = ntok + 1
      ids[ntok] = tonumber(id)
      toks[ntok] = tok
    end
  end
  f:close()
end

function init(args)
  scenario = args[1] or "feed"
  load_tokens(args[2])
  users = tonumber(args[3] or "1")
  videos = tonumber(args[4] or "1")
  offset = tonumber(args[5] or "0")
  seq = offset
  math.randomseed(12345 + offset)
  local needs_token = scenario ~= "feed" and scenario ~= "login"
  if needs_token and ntok == 0 then error("scenario " .. scenario .. " needs a tokens file") end
end

-- 1..n, log-uniform: P(id <= k) = log(k+1)/log(n+1), so popular low ids come up more often.
local function skewed(n)
  local v = math.floor((n + 1) ^ math.random())
  if v < 1 then v = 1 elseif v > n then v = n end
  return v
end

-- the i-th distinct (token index, target) pair for writes; target in 1..max, descending
local function pair(i, max)
  local t = (i % ntok) + 1
  local target = max - (math.floor(i / ntok) % max)
  return t, target
end

local function get(path)
  return wrk.format("GET", path)
end

local function post(path, body)
  return wrk.format("POST", path, form, body)
end

function request()
  local i = seq
  seq = seq + 1
  if scenario == "feed" then
    return get("/douyin/feed/")
  elseif scenario == "feed_token" then
    return get("/douyin/feed/?token=" .. toks[(i % ntok) + 1])
  elseif scenario == "user" then
    return get("/douyin/user/?user_id=" .. skewed(users) .. "&token=" .. toks[(i % ntok) + 1])
  elseif scenario == "publish_list" then
    return get("/douyin/publish/list/?user_id=" .. skewed(users) .. "&token=" .. toks[(i % ntok) + 1])
  elseif scenario == "comment_list" then
    return get("/douyin/comment/list/?video_id=" .. skewed(videos) .. "&token=" .. toks[(i % ntok) + 1])
  elseif scenario == "chat" then
    local t = (i % ntok) + 1
    local other = skewed(users)
    if other == ids[t] then other = (other % users) + 1 end
    return get("/douyin/message/chat/?token=" .. toks[t] .. "&to_user_id=" .. other)
  elseif scenario == "favorite" then
    local t, video = pair(i, videos)
    return post("/douyin/favorite/action/", "token=" .. toks[t] .. "&video_id=" .. video .. "&action_type=1")
  elseif scenario == "comment" then
    local t, video = pair(i, videos)
    return post("/douyin/comment/action/", "token=" .. toks[t] .. "&video_id=" .. video ..
                "&action_type=1&comment_text=load+test+comment+" .. i)
  elseif scenario == "relation" then
    local t, to = pair(i, users)
    while to == ids[t] do -- never follow yourself: move on to the next pair
      i = seq
      seq = seq + 1
      t, to = pair(i, users)
    end
    return post("/douyin/relation/action/", "token=" .. toks[t] .. "&to_user_id=" .. to .. "&action_type=1")
  elseif scenario == "login" then
    return post("/douyin/user/login/", "username=seed" .. ((i % users) + 1) .. "&password=seed-password")
  end
  error("unknown scenario " .. tostring(scenario))
end

-- non-2xx answers are counted by wrk itself (summary.errors.status); this counts the 2xx ones
-- whose Douyin status_code is not 0, and keeps the first bad answer of either kind as a sample
function response(status, headers, body)
  local ok_body = body ~= nil and body:sub(1, 16) == '{"status_code":0'
  if status >= 200 and status < 300 and not ok_body then bad = bad + 1 end
  if (status < 200 or status >= 300 or not ok_body) and sample == "" then
    sample = tostring(status) .. " " .. (body or ""):sub(1, 160)
  end
end

function done(summary, latency, requests)
  local b, s = 0, ""
  for _, t in ipairs(threads) do
    b = b + (t:get("bad") or 0)
    local ts = t:get("sample")
    if s == "" and ts ~= nil then s = ts end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "bad=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    b, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  if s ~= "" then io.write("BENCH_SAMPLE ", (s:gsub("[\r\n]", " ")), "\n") end
end
