// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOADed into make in the guest.  GNU make spawns each recipe with
 * posix_spawn(POSIX_SPAWN_RESETIDS), whose child calls setresuid(): a
 * tinyconfig kernel has no CONFIG_MULTIUSER, so that fails with ENOSYS
 * and make reports "mkdir: Function not implemented".  Every process of
 * such a kernel runs as uid 0, so resetting the ids does nothing: drop
 * the flag and call glibc's own function.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <spawn.h>

typedef int (*spawn_fn)(pid_t *, const char *,
			const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[],
			char *const[]);

static int spawn(const char *name, pid_t *pid, const char *path,
		 const posix_spawn_file_actions_t *actions,
		 const posix_spawnattr_t *attr, char *const argv[],
		 char *const envp[])
{
	spawn_fn real = (spawn_fn)dlsym(RTLD_NEXT, name);
	posix_spawnattr_t copy;
	short flags;

	if (!real)
		return ENOSYS;
	if (!attr || posix_spawnattr_getflags(attr, &flags) ||
	    !(flags & POSIX_SPAWN_RESETIDS))
		return real(pid, path, actions, attr, argv, envp);
	copy = *attr;
	posix_spawnattr_setflags(&copy, flags & ~POSIX_SPAWN_RESETIDS);
	return real(pid, path, actions, &copy, argv, envp);
}

int posix_spawn(pid_t *pid, const char *path,
		const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[],
		char *const envp[])
{
	return spawn("posix_spawn", pid, path, actions, attr, argv, envp);
}

int posix_spawnp(pid_t *pid, const char *file,
		 const posix_spawn_file_actions_t *actions,
		 const posix_spawnattr_t *attr, char *const argv[],
		 char *const envp[])
{
	return spawn("posix_spawnp", pid, file, actions, attr, argv, envp);
}
