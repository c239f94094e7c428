# The peer `npm run bench` compares the service with: the page tracker of Real Python's tutorial "Build
# Robust Continuous Integration With Docker and Friends" (https://realpython.com/docker-continuous-integration/),
# a Flask app whose GET / increments one Redis counter, `page_views`, with redis-py and answers
# "This page has been seen N times.", served by gunicorn. Rewritten here with the same behaviour; the
# bench runs it as `gunicorn --workers 4 flask_tracker:app` against the bench's redis-server (REDIS_URL).
# The modules come from Debian's packages (python3-flask, python3-redis, gunicorn):
# scripts/install-system-deps.sh installs them.
import os
from functools import cache

from flask import Flask
from redis import Redis, RedisError

app = Flask(__name__)


@cache
def redis() -> Redis:
    # One client per worker process, made on its first request: gunicorn forks the workers after import.
    return Redis.from_url(os.environ["REDIS_URL"])


@app.get("/")
def index():
    try:
        page_views = redis().incr("page_views")
    except RedisError:
        app.logger.exception("Redis error")
        return "Sorry, something went wrong", 500
    return f"This page has been seen {page_views} times."
