/*
 * A tiny HTTP/1.1 server for the AWS client tests: a thread on 127.0.0.1
 * (port chosen by the kernel) that records every request and answers from
 * a script of canned replies or from a handler function. Keeps connections
 * alive, so tests can count them. Test code only; header-only because each
 * test file is its own executable.
 */
#ifndef TR_TEST_FAKE_SERVER_H
#define TR_TEST_FAKE_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#define FAKE_MAX_REPLIES 64
#define FAKE_MAX_REQUESTS 256
#define FAKE_MAX_CONNS 16
#define FAKE_BUF (1 << 20)

typedef struct fake_reply {
	int status;
	const char *headers; /* extra header lines, each ending "\r\n" */
	const char *body;
	bool close;          /* close the connection after replying */
} fake_reply;

typedef struct fake_request {
	char method[16];
	char target[8192];  /* path?query as sent */
	char headers[16384];/* raw header block, "Name: value\r\n" lines */
	char *body;
	size_t body_len;
} fake_request;

typedef struct fake_server fake_server;
/* Fills *out for req; strings must outlive the reply (static is fine). */
typedef void (*fake_handler)(fake_server *s, const fake_request *req,
			     fake_reply *out);

struct fake_server {
	int fd;
	int port;
	pthread_t thread;
	volatile int stop;
	pthread_mutex_t mu;
	fake_reply replies[FAKE_MAX_REPLIES];
	size_t nreplies, next;
	fake_handler handler;
	void *ud;
	fake_request reqs[FAKE_MAX_REQUESTS];
	size_t nreqs;
	size_t dropped;
	int connections;
	char url[64];
};

typedef struct fake_conn {
	int fd;
	char *buf;
	size_t len;
} fake_conn;

static inline const char *fake_header(const fake_request *r, const char *name,
			       char *out, size_t cap)
{
	size_t n = strlen(name);
	const char *p = r->headers;

	while (*p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
			const char *v = p + n + 1;
			size_t vl = len - n - 1;
			while (vl && *v == ' ') {
				v++;
				vl--;
			}
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		p += len + (eol ? 2 : 0);
	}
	return NULL;
}

static void fake_serve_one(fake_server *s, fake_conn *c, size_t head_len,
			   size_t body_len)
{
	fake_request *req = NULL;
	fake_reply rep = {200, "", "", false};
	char *out;
	size_t cap, off = 0;
	const char *sp1, *sp2;
	int n;

	fake_request *spare = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->nreqs < FAKE_MAX_REQUESTS)
		req = &s->reqs[s->nreqs++];
	else
		s->dropped++; /* served, not recorded */
	pthread_mutex_unlock(&s->mu);
	if (!req)
		req = spare = malloc(sizeof(*req));
	{
		const char *eol = strstr(c->buf, "\r\n");
		memset(req, 0, sizeof(*req));
		sp1 = memchr(c->buf, ' ', (size_t)(eol - c->buf));
		sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
		if (sp1 && sp2) {
			snprintf(req->method, sizeof(req->method), "%.*s",
				 (int)(sp1 - c->buf), c->buf);
			snprintf(req->target, sizeof(req->target), "%.*s",
				 (int)(sp2 - sp1 - 1), sp1 + 1);
		}
		snprintf(req->headers, sizeof(req->headers), "%.*s",
			 (int)(head_len - (size_t)(eol + 2 - c->buf) - 2), eol + 2);
		req->body = malloc(body_len + 1);
		memcpy(req->body, c->buf + head_len, body_len);
		req->body[body_len] = '\0';
		req->body_len = body_len;
		if (s->handler) {
			s->handler(s, req, &rep);
		} else if (s->nreplies) {
			pthread_mutex_lock(&s->mu);
			rep = s->replies[s->next < s->nreplies ? s->next
							       : s->nreplies - 1];
			s->next++;
			pthread_mutex_unlock(&s->mu);
		}
	}
	if (spare) {
		free(spare->body);
		free(spare);
	}
	cap = strlen(rep.body ? rep.body : "") +
	      strlen(rep.headers ? rep.headers : "") + 256;
	out = malloc(cap);
	n = snprintf(out, cap,
		     "HTTP/1.1 %d Fake\r\nContent-Length: %zu\r\n%s%s\r\n%s",
		     rep.status, strlen(rep.body ? rep.body : ""),
		     rep.headers ? rep.headers : "",
		     rep.close ? "Connection: close\r\n" : "",
		     rep.body ? rep.body : "");
	while (n > 0 && off < (size_t)n) {
		ssize_t w = write(c->fd, out + off, (size_t)n - off);
		if (w <= 0)
			break; /* the client went away (say, past its cap) */
		off += (size_t)w;
	}
	free(out);
	memmove(c->buf, c->buf + head_len + body_len,
		c->len - head_len - body_len);
	c->len -= head_len + body_len;
	if (rep.close) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Serves every complete request buffered on c. */
static void fake_drain(fake_server *s, fake_conn *c)
{
	while (c->fd >= 0 && c->len) {
		char *end;
		size_t head_len, body_len = 0;
		const char *p;

		c->buf[c->len] = '\0';
		end = strstr(c->buf, "\r\n\r\n");
		if (!end)
			return;
		head_len = (size_t)(end + 4 - c->buf);
		/* Content-Length, line by line after the request line. */
		p = strstr(c->buf, "\r\n") + 2;
		while (p < end) {
			const char *eol = strstr(p, "\r\n");
			if (strncasecmp(p, "Content-Length:", 15) == 0)
				body_len = (size_t)strtoul(p + 15, NULL, 10);
			p = eol + 2;
		}
		if (c->len < head_len + body_len)
			return;
		fake_serve_one(s, c, head_len, body_len);
	}
}

static void *fake_main(void *arg)
{
	fake_server *s = arg;
	fake_conn conns[FAKE_MAX_CONNS];

	for (int i = 0; i < FAKE_MAX_CONNS; i++) {
		conns[i].fd = -1;
		conns[i].buf = malloc(FAKE_BUF + 1);
		conns[i].len = 0;
	}
	while (!s->stop) {
		struct pollfd pf[FAKE_MAX_CONNS + 1];
		int map[FAKE_MAX_CONNS + 1], n = 0;

		pf[n].fd = s->fd;
		pf[n].events = POLLIN;
		map[n++] = -1;
		for (int i = 0; i < FAKE_MAX_CONNS; i++)
			if (conns[i].fd >= 0) {
				pf[n].fd = conns[i].fd;
				pf[n].events = POLLIN;
				map[n++] = i;
			}
		if (poll(pf, (nfds_t)n, 50) <= 0)
			continue;
		for (int k = 0; k < n; k++) {
			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[k] < 0) {
				int fd = accept(s->fd, NULL, NULL);
				if (fd < 0)
					continue;
				for (int i = 0; i < FAKE_MAX_CONNS; i++)
					if (conns[i].fd < 0) {
						conns[i].fd = fd;
						conns[i].len = 0;
						fd = -1;
						break;
					}
				if (fd >= 0)
					close(fd);
				pthread_mutex_lock(&s->mu);
				s->connections++;
				pthread_mutex_unlock(&s->mu);
			} else {
				fake_conn *c = &conns[map[k]];
				ssize_t got = read(c->fd, c->buf + c->len,
						   FAKE_BUF - c->len);
				if (got <= 0) {
					close(c->fd);
					c->fd = -1;
					continue;
				}
				c->len += (size_t)got;
				fake_drain(s, c);
			}
		}
	}
	for (int i = 0; i < FAKE_MAX_CONNS; i++) {
		if (conns[i].fd >= 0)
			close(conns[i].fd);
		free(conns[i].buf);
	}
	return NULL;
}

static void fake_start(fake_server *s)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s->fd, 16) != 0)
		abort();
	getsockname(s->fd, (struct sockaddr *)&a, &alen);
	s->port = ntohs(a.sin_port);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	/* A client hanging up mid-reply must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	pthread_create(&s->thread, NULL, fake_main, s);
}

static void fake_stop(fake_server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	for (size_t i = 0; i < s->nreqs; i++)
		free(s->reqs[i].body);
	pthread_mutex_destroy(&s->mu);
}

static inline void fake_script(fake_server *s, const fake_reply *replies, size_t n)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < n && i < FAKE_MAX_REPLIES; i++)
		s->replies[i] = replies[i];
	s->nreplies = n;
	s->next = 0;
	pthread_mutex_unlock(&s->mu);
}

static inline size_t fake_count(fake_server *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* ---- a scripted environment, clock and log for the client -------------- */

typedef struct test_rt {
	const char *env[64][2];
	size_t nenv;
	int64_t now_ms;
	int64_t slept_ms;
	int64_t sleeps[64];
	size_t nsleeps;
	uint64_t random;
	char log[64][512];
	size_t nlog;
	size_t refused;
	char refused_path[512]; /* the last refused call's */
} test_rt;

static inline void rt_setenv(test_rt *t, const char *name, const char *value)
{
	for (size_t i = 0; i < t->nenv; i++)
		if (strcmp(t->env[i][0], name) == 0) {
			t->env[i][1] = value;
			return;
		}
	t->env[t->nenv][0] = name;
	t->env[t->nenv][1] = value;
	t->nenv++;
}

static const char *rt_getenv(void *ctx, const char *name)
{
	test_rt *t = ctx;

	for (size_t i = 0; i < t->nenv; i++)
		if (strcmp(t->env[i][0], name) == 0)
			return t->env[i][1];
	return NULL;
}

static int64_t rt_now(void *ctx)
{
	return ((test_rt *)ctx)->now_ms;
}

static void rt_sleep(void *ctx, int64_t ms)
{
	test_rt *t = ctx;

	t->now_ms += ms;
	t->slept_ms += ms;
	if (t->nsleeps < 64)
		t->sleeps[t->nsleeps++] = ms;
}

static uint64_t rt_random(void *ctx)
{
	return ((test_rt *)ctx)->random;
}

static void rt_log(void *ctx, const char *line)
{
	test_rt *t = ctx;

	if (t->nlog < 64)
		snprintf(t->log[t->nlog++], sizeof(t->log[0]), "%s", line);
}

static void rt_refused(void *ctx, const char *service, const char *op,
		       const char *method, const char *path)
{
	test_rt *t = ctx;

	(void)service;
	(void)op;
	(void)method;
	t->refused++;
	snprintf(t->refused_path, sizeof(t->refused_path), "%s", path);
}

static inline tr_aws_runtime rt_make(test_rt *t)
{
	tr_aws_runtime rt = {rt_getenv, rt_now, rt_sleep, rt_random, rt_log,
			     rt_refused, t, NULL};
	/* 2015-08-30T12:36:00Z: a fixed, known time. */
	if (!t->now_ms)
		t->now_ms = INT64_C(1440938160000);
	return rt;
}

#endif
