-- GET one path with a bearer token (TOKEN, PATH from the environment).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.path = os.getenv("PATH_TO_GET")
