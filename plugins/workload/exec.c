/*
 * exec - a workload whose task runs a command: `command = ./client --fetch
 * {task}`, split like a shell but run without one (shell = false), or run
 * by /bin/sh -c (shell = true).  Placeholders: {task}, the task index, and
 * {NAME} for any key of the section: the plugin's own parameters and every
 * other key (CONCUR_CAP_EXTRA_KEYS), so `threads = 1, 2, 4` crosses into
 * `command = ./app --threads {threads}`.  Keys env.NAME set the command's
 * environment.
 *
 * Each task is a process in its own group, watched through a pidfd
 * (exec_proc.h): the blocking face waits with poll, the event-loop face
 * watches the same fds through the loop, so one epoll thread keeps
 * hundreds of commands in flight.  A task succeeds when the command exits
 * with expect_exit before `timeout`; with stdout = check its output's size
 * (rec->bytes) and digest (rec->result) are checked against expect_bytes /
 * expect_stdout after the run.  rec->detail is the exit code, or 128 + the
 * signal.
 *
 * setup and prepare run in the run's process before the timed region
 * (prepare hook), cleanup after it (destroy), each as a command of its own
 * with the same shell, environment and timeout.  Every run is its own
 * process, so setup and cleanup bracket each run, as prepare does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concur/plugin.h>

#include "exec/exec_argv.h"
#include "exec/exec_proc.h"

extern char **environ;

enum exec_param_index {
	P_COMMAND,
	P_SHELL,
	P_TASKS,
	P_STDIN,
	P_STDOUT,
	P_EXPECT_STDOUT,
	P_EXPECT_BYTES,
	P_EXPECT_EXIT,
	P_TIMEOUT,
	P_SETUP,
	P_PREPARE,
	P_CLEANUP,
	P_URL,
	P_N
};

static const struct concur_param exec_params[] = {
	[P_COMMAND] = { "command", CONCUR_PARAM_STRING, NULL, NULL, NULL,
			"the command each task runs; {task}, {NAME} of any "
			"key of the section" },
	[P_SHELL] = { "shell", CONCUR_PARAM_BOOL, "false", NULL, NULL,
		      "true: run it with /bin/sh -c; false: split it like a "
		      "shell, run it without one" },
	[P_TASKS] = { "tasks", CONCUR_PARAM_INT, "10", "1", "50000000",
		      "commands per run" },
	[P_STDIN] = { "stdin", CONCUR_PARAM_STRING, "/dev/null", NULL, NULL,
		      "file each command reads as its stdin" },
	[P_STDOUT] = { "stdout", CONCUR_PARAM_STRING, "discard", NULL, NULL,
		       "discard (to /dev/null) or check (count and digest "
		       "it)" },
	[P_EXPECT_STDOUT] = { "expect_stdout", CONCUR_PARAM_STRING, NULL, NULL,
			      NULL,
			      "with stdout = check: the output every task "
			      "must print (trailing newlines ignored)" },
	[P_EXPECT_BYTES] = { "expect_bytes", CONCUR_PARAM_INT, "-1", "-1", NULL,
			     "with stdout = check: bytes every task must "
			     "print; -1 = not checked" },
	[P_EXPECT_EXIT] = { "expect_exit", CONCUR_PARAM_INT, "0", "0", "255",
			    "the exit status a successful task has" },
	[P_TIMEOUT] = { "timeout", CONCUR_PARAM_DURATION, "60s", "1ms", NULL,
			"a task still running after this fails, its process "
			"group killed" },
	[P_SETUP] = { "setup", CONCUR_PARAM_STRING, NULL, NULL, NULL,
		      "command run before each run, outside the timed "
		      "region; cleanup follows the run" },
	[P_PREPARE] = { "prepare", CONCUR_PARAM_STRING, NULL, NULL, NULL,
			"command run after setup, before each run's tasks" },
	[P_CLEANUP] = { "cleanup", CONCUR_PARAM_STRING, NULL, NULL, NULL,
			"command run after each run whose setup ran" },
	[P_URL] = { "url", CONCUR_PARAM_STRING, NULL, NULL, NULL,
		    "{url} in commands; builtin = the embedded test server's "
		    "base URL (the experiment then starts it)" },
	{ 0 },
};

/* Variable 0 of every template: the task index. */
#define VAR_TASK 0

struct exec_instance {
	union concur_value
		vals[P_N]; /* a copy: only its strings outlive create */
	const union concur_value *params; /* == vals */
	bool ready;			  /* extra_keys built the templates */
	bool setup_ran;			  /* cleanup is owed */
	bool capture;			  /* stdout = check */
	bool has_expect;		  /* expect_stdout is set */
	uint64_t expect_digest;
	char *url; /* {url}: the builtin server's, or as given */
	struct exec_vars vars;
	char **own_texts; /* values of the own parameters, as text */
	char **envp;
	struct exec_tmpl cmd, setup, prepare, cleanup;
};

/* ---- create / destroy ---- */

static void free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void exec_destroy_quiet(struct exec_instance *inst)
{
	size_t i;

	exec_tmpl_free(&inst->cmd);
	exec_tmpl_free(&inst->setup);
	exec_tmpl_free(&inst->prepare);
	exec_tmpl_free(&inst->cleanup);
	for (i = 0; inst->own_texts && i < P_N; i++)
		free(inst->own_texts[i]);
	free(inst->own_texts);
	free_strv(inst->envp);
	free(inst->vars.names);
	free(inst->vars.values);
	free(inst->url);
	free(inst);
}

static int run_aux(struct exec_instance *inst, const struct exec_tmpl *t,
		   const char *what, char *err, size_t errlen);

static void exec_destroy(void *instance)
{
	struct exec_instance *inst = instance;
	char err[CONCUR_ERRLEN];

	if (!inst)
		return;
	/* Nothing reports a failed cleanup: destroy has no error. */
	if (inst->setup_ran)
		run_aux(inst, &inst->cleanup, "cleanup", err, sizeof(err));
	exec_destroy_quiet(inst);
}

static char *value_text(const struct concur_param *d,
			const union concur_value *v)
{
	char buf[64], *s = NULL;

	switch (d->type) {
	case CONCUR_PARAM_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, v->i);
		break;
	case CONCUR_PARAM_BOOL:
		snprintf(buf, sizeof(buf), "%s", v->b ? "true" : "false");
		break;
	case CONCUR_PARAM_DURATION:
		exec_format_duration(v->ns, buf, sizeof(buf));
		break;
	default:
		return strdup(v->s ? v->s : "");
	}
	s = strdup(buf);
	return s;
}

/* The server's base URL when url = builtin (http_download's convention). */
static int url_resolve(struct exec_instance *inst, char *err, size_t errlen)
{
	const char *url = inst->params[P_URL].s, *base;

	if (strcmp(url, "builtin") != 0) {
		inst->url = strdup(url);
		return inst->url ? 0 : -ENOMEM;
	}
	base = getenv(CONCUR_BUILTIN_URL_ENV);
	if (!base || !*base) {
		snprintf(
			err, errlen,
			"url = builtin needs the embedded test server, but "
			"%s is not set (concur sets it when it starts the "
			"server; outside concur run `concur serve` and set it)",
			CONCUR_BUILTIN_URL_ENV);
		return -EINVAL;
	}
	inst->url = strdup(base);
	return inst->url ? 0 : -ENOMEM;
}

static int check_params(const union concur_value *params, char *err,
			size_t errlen)
{
	const char *out = params[P_STDOUT].s;
	bool expect =
		*params[P_EXPECT_STDOUT].s || params[P_EXPECT_BYTES].i >= 0;

	if (!params[P_COMMAND].s[strspn(params[P_COMMAND].s, " \t")]) {
		snprintf(err, errlen,
			 "command is empty: give the command each task runs, "
			 "e.g. command = ./client --fetch {task}");
		return -EINVAL;
	}
	if (strcmp(out, "discard") && strcmp(out, "check")) {
		snprintf(err, errlen,
			 "stdout = %.40s: allowed: discard (to /dev/null), "
			 "check (read, counted and digested, see expect_stdout "
			 "and expect_bytes)",
			 out);
		return -EINVAL;
	}
	if (!strcmp(out, "check") && !expect) {
		snprintf(err, errlen,
			 "stdout = check checks nothing: set expect_stdout "
			 "and/or expect_bytes");
		return -EINVAL;
	}
	if (!strcmp(out, "discard") && expect) {
		snprintf(err, errlen,
			 "expect_stdout and expect_bytes need stdout = check "
			 "(stdout = discard never reads it)");
		return -EINVAL;
	}
	if (access(params[P_STDIN].s, R_OK) < 0) {
		snprintf(err, errlen, "stdin = %.100s: cannot read it: %s",
			 params[P_STDIN].s, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

static int exec_create(const union concur_value *params, void **ret_instance,
		       char *err, size_t errlen)
{
	struct exec_instance *inst;
	int rc;

	rc = check_params(params, err, errlen);
	if (rc == 0)
		rc = exec_proc_probe(err, errlen);
	if (rc < 0)
		return rc;
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return -ENOMEM;
	memcpy(inst->vals, params, sizeof(inst->vals));
	inst->params = inst->vals;
	inst->capture = !strcmp(params[P_STDOUT].s, "check");
	inst->has_expect = *params[P_EXPECT_STDOUT].s != '\0';
	inst->expect_digest = exec_digest_text(params[P_EXPECT_STDOUT].s);
	rc = url_resolve(inst, err, errlen);
	if (rc < 0) {
		exec_destroy_quiet(inst);
		return rc;
	}
	*ret_instance = inst;
	return 0;
}

/* ---- extra keys: placeholders and the environment ---- */

static int build_vars(struct exec_instance *inst,
		      const struct concur_extra_key *keys, size_t n)
{
	struct exec_vars *v = &inst->vars;
	size_t i;

	v->n = 1 + P_N + n;
	v->names = calloc(v->n, sizeof(*v->names));
	v->values = calloc(v->n, sizeof(*v->values));
	inst->own_texts = calloc(P_N + 1, sizeof(*inst->own_texts));
	if (!v->names || !v->values || !inst->own_texts)
		return -ENOMEM;
	/* the task, the section's own keys, then the plugin's: the order of
	 * the list an unknown placeholder's message gives */
	v->names[VAR_TASK] = "task";
	for (i = 0; i < n; i++) {
		v->names[1 + i] = keys[i].name;
		v->values[1 + i] = keys[i].value;
	}
	for (i = 0; i < P_N; i++) {
		inst->own_texts[i] = i == P_URL ? strdup(inst->url)
						: value_text(&exec_params[i],
							     &inst->params[i]);
		if (!inst->own_texts[i])
			return -ENOMEM;
		v->names[1 + n + i] = exec_params[i].name;
		v->values[1 + n + i] = inst->own_texts[i];
	}
	return 0;
}

/* environ, with env.NAME = value keys set or replacing it. */
static int build_env(struct exec_instance *inst,
		     const struct concur_extra_key *keys, size_t n, char *err,
		     size_t errlen)
{
	size_t n_env = 0, i, j, k = 0;

	while (environ && environ[n_env])
		n_env++;
	inst->envp = calloc(n_env + n + 1, sizeof(*inst->envp));
	if (!inst->envp)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *name = keys[i].name + 4;

		if (strncmp(keys[i].name, "env.", 4))
			continue;
		if (!*name || strchr(name, '.')) {
			snprintf(err, errlen,
				 "%.64s: an environment key is env.NAME, with "
				 "NAME of letters, digits and '_'",
				 keys[i].name);
			return -EINVAL;
		}
		if (asprintf(&inst->envp[k++], "%s=%s", name, keys[i].value) <
		    0)
			return -ENOMEM;
	}
	for (j = 0; j < n_env; j++) {
		size_t len = strcspn(environ[j], "=");
		bool replaced = false;

		for (i = 0; i < k; i++)
			replaced |=
				!strncmp(inst->envp[i], environ[j], len + 1);
		if (!replaced && !(inst->envp[k++] = strdup(environ[j])))
			return -ENOMEM;
	}
	return 0;
}

static int parse_tmpl(struct exec_instance *inst, size_t which,
		      struct exec_tmpl *t, char *err, size_t errlen)
{
	char why[CONCUR_ERRLEN];
	int rc = exec_tmpl_parse(
		inst->params[which].s, inst->params[P_SHELL].b, &inst->vars,
		which == P_COMMAND ? NULL : "task", t, why, sizeof(why));

	if (rc < 0)
		snprintf(err, errlen, "%s: %s", exec_params[which].name, why);
	else if (which == P_COMMAND && t->n_words == 0) {
		snprintf(err, errlen, "command is empty");
		rc = -EINVAL;
	}
	return rc;
}

static int exec_extra_keys(void *instance, const struct concur_extra_key *keys,
			   size_t n, char *err, size_t errlen)
{
	struct exec_instance *inst = instance;
	int rc = build_vars(inst, keys, n);

	if (rc == 0)
		rc = build_env(inst, keys, n, err, errlen);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc == 0)
		rc = parse_tmpl(inst, P_COMMAND, &inst->cmd, err, errlen);
	if (rc == 0)
		rc = parse_tmpl(inst, P_SETUP, &inst->setup, err, errlen);
	if (rc == 0)
		rc = parse_tmpl(inst, P_PREPARE, &inst->prepare, err, errlen);
	if (rc == 0)
		rc = parse_tmpl(inst, P_CLEANUP, &inst->cleanup, err, errlen);
	inst->ready = rc == 0;
	return rc;
}

/* ---- running one command ---- */

static int spawn_task(struct exec_instance *inst, const struct exec_tmpl *t,
		      size_t task, struct exec_proc *proc, char *err,
		      size_t errlen)
{
	char text[32];
	char **argv;
	int rc;

	if (!inst->ready) {
		snprintf(err, errlen, "the core never handed the extra keys");
		return -EINVAL;
	}
	snprintf(text, sizeof(text), "%zu", task);
	argv = exec_tmpl_argv(t, &inst->vars, text);
	if (!argv) {
		snprintf(err, errlen, "out of memory building the command");
		return -ENOMEM;
	}
	rc = exec_proc_start(
		proc,
		&(struct exec_spawn){
			.argv = argv,
			.envp = inst->envp,
			.stdin_path = inst->params[P_STDIN].s,
			.capture_stdout = inst->capture && t == &inst->cmd,
		},
		err, errlen);
	exec_argv_free(argv);
	return rc;
}

/* Fill the task's record from its finished process. */
static int finish(struct exec_instance *inst, struct exec_proc *proc,
		  struct concur_task *rec, char *err, size_t errlen)
{
	unsigned detail;
	int rc = exec_proc_status(proc, (int)inst->params[P_EXPECT_EXIT].i,
				  inst->params[P_TIMEOUT].ns, &detail, err,
				  errlen);

	rec->detail = (uint16_t)detail;
	rec->bytes = proc->out_bytes;
	rec->result = proc->digest;
	rec->status = rc;
	return rc;
}

/* setup, prepare or cleanup: blocking, "what: why" on failure. */
static int run_aux(struct exec_instance *inst, const struct exec_tmpl *t,
		   const char *what, char *err, size_t errlen)
{
	struct exec_proc proc;
	struct concur_task rec = { 0 };
	char why[CONCUR_ERRLEN];
	int rc;

	if (!t->n_words)
		return 0;
	rc = spawn_task(inst, t, 0, &proc, why, sizeof(why));
	if (rc == 0) {
		exec_proc_wait(&proc, inst->params[P_TIMEOUT].ns);
		rc = finish(inst, &proc, &rec, why, sizeof(why));
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", what, why);
	return rc;
}

static int exec_prepare(void *instance, char *err, size_t errlen)
{
	struct exec_instance *inst = instance;
	int rc = run_aux(inst, &inst->setup, "setup", err, errlen);

	if (rc < 0)
		return rc;
	inst->setup_ran = true;
	return run_aux(inst, &inst->prepare, "prepare", err, errlen);
}

static size_t exec_task_count(void *instance)
{
	struct exec_instance *inst = instance;

	return (size_t)inst->params[P_TASKS].i;
}

static int exec_run_task(void *instance, void *worker, size_t task,
			 struct concur_task *rec, char *err, size_t errlen)
{
	struct exec_instance *inst = instance;
	struct exec_proc proc;
	int rc;

	(void)worker;
	rc = spawn_task(inst, &inst->cmd, task, &proc, err, errlen);
	if (rc < 0) {
		rec->status = rc;
		return rc;
	}
	exec_proc_wait(&proc, inst->params[P_TIMEOUT].ns);
	return finish(inst, &proc, rec, err, errlen);
}

/* ---- the event-loop face: the same process, driven by the loop ---- */

struct exec_live {
	struct exec_instance *inst;
	struct concur_loop *loop;
	struct concur_task *rec;
	size_t task;
	struct concur_timer timer;
	struct exec_proc proc;
};

/* Stop the loop's watches and timer before reap closes the fds. */
static void live_unwatch(struct exec_live *l)
{
	struct concur_loop *loop = l->loop;

	loop->timer_cancel(loop, &l->timer);
	loop->watch(loop, l->proc.pidfd, 0, NULL, NULL);
	if (l->proc.out_fd >= 0)
		loop->watch(loop, l->proc.out_fd, 0, NULL, NULL);
	if (l->proc.err_fd >= 0)
		loop->watch(loop, l->proc.err_fd, 0, NULL, NULL);
}

static void live_done(struct exec_live *l)
{
	struct concur_loop *loop = l->loop;
	char err[CONCUR_ERRLEN] = "";
	int rc;

	live_unwatch(l);
	exec_proc_reap(&l->proc);
	rc = finish(l->inst, &l->proc, l->rec, err, sizeof(err));
	loop->complete(loop, l->task, rc, rc ? err : NULL);
	free(l);
}

static void live_fd(struct concur_loop *loop, int fd, unsigned revents,
		    void *arg)
{
	struct exec_live *l = arg;

	(void)revents;
	if (fd == l->proc.pidfd) {
		if (exec_proc_has_exited(&l->proc))
			live_done(l);
		return;
	}
	if (exec_proc_drain(&l->proc, fd)) {
		loop->watch(loop, fd, 0, NULL, NULL);
		exec_proc_close_fd(&l->proc, fd);
	}
}

static void live_timeout(struct concur_loop *loop, void *arg)
{
	struct exec_live *l = arg;

	(void)loop;
	exec_proc_timeout(&l->proc); /* the pidfd then says it exited */
}

static int exec_start_task(void *instance, void *worker, size_t task,
			   struct concur_task *rec, struct concur_loop *loop,
			   char *err, size_t errlen)
{
	struct exec_instance *inst = instance;
	struct exec_live *l = calloc(1, sizeof(*l));
	int rc;

	(void)worker;
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*l = (struct exec_live){
		.inst = inst, .loop = loop, .rec = rec, .task = task
	};
	rc = spawn_task(inst, &inst->cmd, task, &l->proc, err, errlen);
	if (rc == 0)
		rc = loop->watch(loop, l->proc.pidfd, CONCUR_EV_READ, live_fd,
				 l);
	if (rc == 0 && l->proc.out_fd >= 0)
		rc = loop->watch(loop, l->proc.out_fd, CONCUR_EV_READ, live_fd,
				 l);
	if (rc == 0)
		rc = loop->watch(loop, l->proc.err_fd, CONCUR_EV_READ, live_fd,
				 l);
	if (rc == 0)
		rc = loop->timer_arm(loop, &l->timer,
				     inst->params[P_TIMEOUT].ns, live_timeout,
				     l);
	if (rc == 0)
		return 0;
	if (l->proc.pidfd >= 0) { /* started, but the loop refused it */
		snprintf(err, errlen, "the event loop cannot watch it: %s",
			 strerror(-rc));
		exec_proc_timeout(&l->proc);
		live_unwatch(l);
		exec_proc_reap(&l->proc);
	}
	rec->status = rc;
	free(l);
	return rc;
}

static int exec_check_task(void *instance, size_t task,
			   const struct concur_task *rec, char *err,
			   size_t errlen)
{
	struct exec_instance *inst = instance;
	int64_t want = inst->params[P_EXPECT_BYTES].i;

	(void)task;
	if (want >= 0 && rec->bytes != (uint64_t)want) {
		snprintf(err, errlen,
			 "stdout has %" PRIu64 " bytes, "
			 "expect_bytes = %" PRId64,
			 rec->bytes, want);
		return -EBADMSG;
	}
	if (inst->has_expect && rec->result != inst->expect_digest) {
		snprintf(err, errlen,
			 "stdout (%" PRIu64 " bytes) differs from "
			 "expect_stdout = %.60s",
			 rec->bytes, inst->params[P_EXPECT_STDOUT].s);
		return -EBADMSG;
	}
	return 0;
}

static uint64_t exec_needs(const union concur_value *params)
{
	return strcmp(params[P_URL].s, "builtin") == 0 ? CONCUR_NEED_HTTP_SERVER
						       : 0;
}

static const struct concur_workload_ops exec_ops = {
	.size = CONCUR_WORKLOAD_OPS_SIZE,
	.create = exec_create,
	.destroy = exec_destroy,
	.task_count = exec_task_count,
	.run_task = exec_run_task,
	.start_task = exec_start_task,
	.check_task = exec_check_task,
	.needs = exec_needs,
	.extra_keys = exec_extra_keys,
	.prepare = exec_prepare,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
	.name = "exec",
	.version = "1.0",
	.description = "run a command per task (posix_spawn, pidfd)",
	.params = exec_params,
	.workload = &exec_ops,
	.needs = CONCUR_NEED_HTTP_SERVER,
	.caps = CONCUR_CAP_EXTRA_KEYS,
};
