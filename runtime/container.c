/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container.c - the per-container state store (see container.h).
 */
#include "container.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../oci-spec/json.h"
#include "container_json.h"

#define STATE_FILE "state.json"
#define LOCK_FILE "lock"
#define CONFIG_FILE "config.json"
#define EXEC_FIFO "exec.fifo"

int container_id_validate(const char *id, strata_error_t *err)
{
	size_t len = id != NULL ? strlen(id) : 0;
	if (len == 0)
		return strata_error_set(err, EINVAL, "container id cannot be empty");
	if (len > 1024)
		return strata_error_set(err, EINVAL, "invalid container id `%.40s...`: longer than 1024 characters", id);
	if (!isalnum((unsigned char)id[0]))
		return strata_error_set(err, EINVAL, "invalid container id `%s`", id);
	for (size_t i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)id[i];
		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-' && ch != '+')
			return strata_error_set(err, EINVAL, "invalid container id `%s`", id);
	}
	return 0;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and parentheses: fields resume after the last ')'. */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	p++;
	/* p now points at " S ppid ...": field 3 is the state; field 22 is 20 fields further. */
	char state = 0;
	unsigned long long start = 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = strtok_r(p, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (field == 3)
			state = tok[0];
		if (field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	}
	/* A zombie has exited: it is not a running container init. */
	if (state == 'Z' || state == 'X')
		return 0;
	return start;
}

static void state_clear(struct container_state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->cgroup);
	for (size_t i = 0; i < s->annotations.len; i++) {
		free(s->annotations.keys[i]);
		free(s->annotations.values[i]);
	}
	free(s->annotations.keys);
	free(s->annotations.values);
	memset(s, 0, sizeof(*s));
}

void container_free(struct container *c)
{
	if (c == NULL)
		return;
	state_clear(&c->state);
	if (c->cgroup != NULL)
		cgroup_manager_free(c->cgroup);
	if (c->config != NULL)
		oci_config_free(c->config);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (c->lock_fd >= 0)
		close(c->lock_fd); /* closing the only fd of the open file description drops the flock */
	free(c->root);
	free(c->dir);
	free(c);
}

static struct container *container_alloc(const char *root, const char *id)
{
	struct container *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->dir_fd = -1;
	c->lock_fd = -1;
	c->root = strdup(root);
	if (c->root == NULL || asprintf(&c->dir, "%s/%s", root, id) < 0) {
		c->dir = NULL;
		container_free(c);
		return NULL;
	}
	return c;
}

static int take_lock(struct container *c, enum container_lock lock, strata_error_t *err)
{
	if (lock == CONTAINER_LOCK_NONE)
		return 0;
	c->lock_fd = openat(c->dir_fd, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (c->lock_fd < 0) {
		if (errno == ENOENT)
			return strata_error_set(err, ENOENT, "container does not exist");
		return strata_error_errno(err, errno, "open `%s/%s`", c->dir, LOCK_FILE);
	}
	int op = lock == CONTAINER_LOCK_SHARED ? LOCK_SH : LOCK_EX;
	while (flock(c->lock_fd, op) < 0) {
		if (errno != EINTR)
			return strata_error_errno(err, errno, "lock `%s/%s`", c->dir, LOCK_FILE);
	}
	return 0;
}

/*
 * A directory without state.json whose lock nobody holds is what a `create`
 * killed half-way leaves (its init died with it: PR_SET_PDEATHSIG).  Remove
 * it so the id can be used again.  True when c->dir was reclaimed (and exists
 * again, empty).
 */
static bool reclaim_stale_dir(struct container *c)
{
	int dfd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	bool stale = false;
	struct stat st;
	if (fstatat(dfd, STATE_FILE, &st, 0) < 0 && errno == ENOENT) {
		int lfd = openat(dfd, LOCK_FILE, O_RDWR | O_CLOEXEC);
		stale = lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0;
		if (lfd >= 0)
			close(lfd);
	}
	close(dfd);
	if (!stale)
		return false;
	struct container tmp = { .dir = c->dir, .dir_fd = -1, .lock_fd = -1 };
	if (container_destroy_dir(&tmp, NULL) < 0)
		return false;
	return mkdir(c->dir, 0711) == 0;
}

int container_new(const char *root, const char *id, struct container **out, strata_error_t *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	/* 0711: other users may reach ROOT/ID (the container's root user in a user
	 * namespace must open exec.fifo) but cannot list the containers. */
	if (mkdir_p(root, 0711, err) < 0)
		return -1;
	_cleanup_container_ struct container *c = container_alloc(root, id);
	if (c == NULL)
		return strata_error_errno(err, ENOMEM, "container `%s`", id);
	if (mkdir(c->dir, 0711) < 0) {
		if (errno != EEXIST)
			return strata_error_errno(err, errno, "mkdir `%s`", c->dir);
		if (!reclaim_stale_dir(c))
			return strata_error_set(err, EEXIST, "container with id exists: %s", id);
	}
	c->dir_fd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->dir_fd < 0) {
		int e = errno;
		rmdir(c->dir);
		return strata_error_errno(err, e, "open `%s`", c->dir);
	}
	if (take_lock(c, CONTAINER_LOCK_EXCLUSIVE, err) < 0) {
		unlinkat(c->dir_fd, LOCK_FILE, 0);
		rmdir(c->dir);
		return -1;
	}
	c->state.id = strdup(id);
	if (c->state.id == NULL)
		return strata_error_errno(err, ENOMEM, "container `%s`", id);
	c->state.owner_uid = geteuid();
	*out = steal_pointer(&c);
	return 0;
}

int container_load(const char *root, const char *id, enum container_lock lock, struct container **out,
		   strata_error_t *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	_cleanup_container_ struct container *c = container_alloc(root, id);
	if (c == NULL)
		return strata_error_errno(err, ENOMEM, "container `%s`", id);
	c->dir_fd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->dir_fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return strata_error_set(err, ENOENT, "container does not exist");
		return strata_error_errno(err, errno, "open `%s`", c->dir);
	}
	if (take_lock(c, lock, err) < 0)
		return -1;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_error_ strata_error_t rerr = NULL;
	if (read_file_at(c->dir_fd, STATE_FILE, &text, &len, &rerr) < 0) {
		/* No state.json: deleted while we waited, or a create still in progress
		 * (CONTAINER_LOCK_NONE) or one that crashed before saving. */
		if (rerr->code == ENOENT)
			return strata_error_set(err, ENOENT, "container does not exist");
		*err = steal_pointer(&rerr);
		return -1;
	}
	if (container_state_from_json(text, len, &c->state, err) < 0)
		return strata_error_wrap(err, "`%s/%s`", c->dir, STATE_FILE);
	if (c->state.cgroup != NULL) {
		/* Not fatal: a container whose cgroup cannot be re-opened must still
		 * be inspectable and deletable. */
		_cleanup_error_ strata_error_t cerr = NULL;
		if (cgroup_manager_load(c->state.cgroup, &c->cgroup, &cerr) < 0) {
			log_warning("container `%s`: cgroup: %s", id, cerr->msg);
			c->cgroup = NULL;
		}
	}
	*out = steal_pointer(&c);
	return 0;
}

pid_t container_init_pid(struct container *c)
{
	if (c->state.pid <= 0)
		return 0;
	unsigned long long start = proc_start_time(c->state.pid);
	if (start == 0 || start != c->state.pid_start_time)
		return 0;
	return c->state.pid;
}

enum container_status container_status(struct container *c)
{
	if (container_init_pid(c) == 0)
		return CONTAINER_STOPPED;
	if (c->cgroup != NULL && cgroup_is_frozen(c->cgroup))
		return CONTAINER_PAUSED;
	struct stat st;
	if (fstatat(c->dir_fd, EXEC_FIFO, &st, 0) == 0)
		return CONTAINER_CREATED;
	return CONTAINER_RUNNING;
}

const char *container_status_name(enum container_status s)
{
	switch (s) {
	case CONTAINER_CREATED:
		return "created";
	case CONTAINER_RUNNING:
		return "running";
	case CONTAINER_PAUSED:
		return "paused";
	default:
		return "stopped";
	}
}

int container_config(struct container *c, const struct oci_config **out, strata_error_t *err)
{
	if (c->config == NULL) {
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		if (read_file_at(c->dir_fd, CONFIG_FILE, &text, &len, err) < 0)
			return strata_error_wrap(err, "container `%s`", c->state.id);
		if (oci_config_parse(CONFIG_FILE, text, len, &c->config, err) < 0)
			return -1;
	}
	*out = c->config;
	return 0;
}

int container_save(struct container *c, strata_error_t *err)
{
	_cleanup_free_ char *text = container_state_to_json(&c->state);
	if (text == NULL)
		return strata_error_errno(err, ENOMEM, "encode state of `%s`", c->state.id);
	/* Written to a temporary file and renamed over state.json, so a reader
	 * sees the old state or the new one, never a mix.  Not fsync'd: the
	 * state describes processes that do not outlive the host (the root is
	 * normally a tmpfs under /run, like runc's and crun's, which do not sync
	 * it either), and an fsync on a disk-backed root cost 1-5 ms of every
	 * create, start and run. */
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", STATE_FILE, (int)getpid());
	if (write_file_at(c->dir_fd, tmp, text, strlen(text), 0600, err) < 0) {
		unlinkat(c->dir_fd, tmp, 0);
		return strata_error_wrap(err, "save state of `%s`", c->state.id);
	}
	if (renameat(c->dir_fd, tmp, c->dir_fd, STATE_FILE) < 0) {
		int saved = errno;
		unlinkat(c->dir_fd, tmp, 0);
		return strata_error_errno(err, saved, "rename `%s/%s` to `%s/%s`", c->dir, tmp, c->dir, STATE_FILE);
	}
	return 0;
}

char *container_state_json(struct container *c, bool pretty, strata_error_t *err)
{
	enum container_status s = container_status(c);
	char *json = container_runc_state_json(&c->state, container_status_name(s),
					       s == CONTAINER_STOPPED ? 0 : c->state.pid, "", pretty);
	if (json == NULL)
		strata_error_errno(err, ENOMEM, "encode state of `%s`", c->state.id);
	return json;
}

int container_destroy_dir(struct container *c, strata_error_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(AT_FDCWD, c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return strata_error_errno(err, errno, "open `%s`", c->dir);
	}
	d = fdopendir(fd);
	if (d == NULL) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "open `%s`", c->dir);
	}
	/* state.json goes first, so a command blocked on the lock sees "does not exist". */
	unlinkat(dirfd(d), STATE_FILE, 0);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			/* Directories are not expected here; try once as one. */
			if (errno != EISDIR || unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
				return strata_error_errno(err, errno, "remove `%s/%s`", c->dir, de->d_name);
		}
	}
	if (rmdir(c->dir) < 0 && errno != ENOENT)
		return strata_error_errno(err, errno, "remove `%s`", c->dir);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int container_list_ids(const char *root, char ***ids, strata_error_t *err)
{
	size_t n = 0, cap = 8;
	_cleanup_strv_ char **v = calloc(cap + 1, sizeof(char *));
	if (v == NULL)
		return strata_error_errno(err, ENOMEM, "list `%s`", root);
	_cleanup_closedir_ DIR *d = opendir(root);
	if (d == NULL) {
		if (errno != ENOENT)
			return strata_error_errno(err, errno, "open `%s`", root);
		*ids = steal_pointer(&v);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (container_id_validate(de->d_name, NULL) < 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap * 2 + 1) * sizeof(char *));
			if (nv == NULL)
				return strata_error_errno(err, ENOMEM, "list `%s`", root);
			v = nv;
			cap *= 2;
		}
		v[n] = strdup(de->d_name);
		if (v[n] == NULL)
			return strata_error_errno(err, ENOMEM, "list `%s`", root);
		v[++n] = NULL;
	}
	qsort(v, n, sizeof(char *), cmp_str);
	*ids = steal_pointer(&v);
	return 0;
}
