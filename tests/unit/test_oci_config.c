/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_oci_config.c - oci-spec config.json parsing, validation and the
 * default spec (oci-spec/config.h).
 *
 * JSON in this file is written with ' for " (see J()) to stay readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci-spec/config.h"

/* A heap copy of s with every ' turned into ". */
static char *J(const char *s)
{
	char *c = strdup(s);
	assert_non_null(c);
	for (char *p = c; *p; p++)
		if (*p == '\'')
			*p = '"';
	return c;
}

static struct oci_config *parse_ok(const char *json)
{
	char *t = J(json);
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	int r = oci_config_parse("config.json", t, strlen(t), &c, &err);
	if (r < 0)
		fail_msg("unexpected error: %s", err->msg);
	strata_error_free(&err);
	free(t);
	assert_non_null(c);
	return c;
}

/* Parse json, expect failure with exactly msg. */
static void expect_error(const char *json, const char *msg)
{
	char *t = J(json);
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	int r = oci_config_parse("config.json", t, strlen(t), &c, &err);
	free(t);
	assert_int_equal(r, -1);
	assert_null(c);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
	strata_error_free(&err);
}

/* The rest of a valid process object and the end of the document. */
#define PROC_REST "'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'/'}}"

/* Every field of the model, at least once. */
static const char rich_config[] =
	"{'ociVersion':'1.3.0','unknownTopLevel':{'x':[1,2]},"
	"'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
	" 'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,4294967295]},"
	" 'args':['/bin/sh','-c','echo hi'],'env':['PATH=/bin','A=b'],'cwd':'/home',"
	" 'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN'],'effective':['CAP_KILL'],'inheritable':[],"
	"   'permitted':['CAP_KILL'],'ambient':['CAP_KILL']},"
	" 'rlimits':[{'type':'RLIMIT_NOFILE','hard':18446744073709551615,'soft':1024},"
	"   {'type':'RLIMIT_NPROC','hard':100,'soft':50}],"
	" 'noNewPrivileges':true,'apparmorProfile':'unconfined','oomScoreAdj':-998,'selinuxLabel':'system_u:r',"
	" 'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':2,'flags':['SCHED_FLAG_RESET_ON_FORK'],"
	"   'runtime':1000,'deadline':2000,'period':3000},"
	" 'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':7},"
	" 'execCPUAffinity':{'initial':'0-3','final':'7'},'newFutureField':1},"
	"'root':{'path':'rootfs','readonly':true},'hostname':'box','domainname':'example.org',"
	"'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
	" {'destination':'/data','type':'bind','source':'/srv','options':['rbind','ro'],"
	"  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
	"  'gidMappings':[{'containerID':0,'hostID':200000,'size':10}]}],"
	"'hooks':{'prestart':[{'path':'/bin/pre','args':['pre','1'],'env':['X=1'],'timeout':5}],"
	" 'createRuntime':[{'path':'/bin/cr'}],'createContainer':[{'path':'/bin/cc'}],"
	" 'startContainer':[{'path':'/bin/sc'}],'poststart':[{'path':'/bin/ps'}],"
	" 'poststop':[{'path':'/bin/po1'},{'path':'/bin/po2'}]},"
	"'annotations':{'io.strata.isolation':'native','k':'v'},"
	"'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/var/run/netns/x'},{'type':'mount'},"
	"   {'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
	" 'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
	" 'gidMappings':[{'containerID':0,'hostID':1001,'size':2}],"
	" 'devices':[{'type':'c','path':'/dev/fuse','major':10,'minor':229,'fileMode':438,'uid':0,'gid':0},"
	"   {'type':'p','path':'/dev/fifo'}],"
	" 'cgroupsPath':'/strata/c1',"
	" 'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':10,'minor':229,"
	"   'access':'rw'}],"
	"  'memory':{'limit':134217728,'reservation':1024,'swap':-1,'kernel':0,'kernelTCP':0,'swappiness':60,"
	"   'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':true},"
	"  'cpu':{'shares':1024,'quota':50000,'burst':1000,'period':100000,'realtimeRuntime':950000,"
	"   'realtimePeriod':1000000,'cpus':'0-1','mems':'0','idle':1},"
	"  'pids':{'limit':2048},"
	"  'blockIO':{'weight':500,'leafWeight':300,'weightDevice':[{'major':8,'minor':0,'weight':600}],"
	"   'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],"
	"   'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':2}],"
	"   'throttleReadIOPSDevice':[{'major':8,'minor':0,'rate':3}],"
	"   'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':4}]},"
	"  'hugepageLimits':[{'pageSize':'2MB','limit':209715200}],"
	"  'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
	"  'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000}},"
	"  'unified':{'memory.high':'1G','io.weight':'100'}},"
	" 'sysctl':{'net.ipv4.ip_forward':'1','kernel.shmmax':'4096'},"
	" 'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'architectures':['SCMP_ARCH_X86_64'],"
	"  'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/seccomp.sock','listenerMetadata':'meta',"
	"  'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
	"   {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':1,"
	"    'args':[{'index':0,'value':8,'valueTwo':0,'op':'SCMP_CMP_EQ'},"
	"     {'index':5,'value':18446744073709551615,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
	" 'rootfsPropagation':'rslave','maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys','/proc/bus'],"
	" 'mountLabel':'system_u:object_r','personality':{'domain':'LINUX32','flags':[]},"
	" 'timeOffsets':{'monotonic':{'secs':-3600,'nanosecs':5},'boottime':{'secs':86400}},"
	" 'netDevices':{'eth1':{'name':'net0'},'eth2':{}},"
	" 'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0-1','flags':['MPOL_F_STATIC_NODES']},"
	" 'intelRdt':{'closID':'g1','l3CacheSchema':'L3:0=ff','memBwSchema':'MB:0=50','schemata':['L2:0=f'],"
	"   'enableCMT':true,'enableMBM':false,'enableMonitoring':true}}}";

static void test_rich_process(void **state)
{
	(void)state;
	struct oci_config *c = parse_ok(rich_config);
	assert_string_equal(c->oci_version, "1.3.0");
	struct oci_process *p = c->process;
	assert_non_null(p);
	assert_true(p->terminal);
	assert_int_equal(p->console_size->height, 24);
	assert_int_equal(p->console_size->width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.additional_gids_len, 2);
	assert_int_equal(p->user.additional_gids[1], UINT32_MAX);
	assert_int_equal(p->args_len, 3);
	assert_string_equal(p->args[2], "echo hi");
	assert_null(p->args[3]); /* NULL-terminated for execve */
	assert_int_equal(p->env_len, 2);
	assert_null(p->env[2]);
	assert_string_equal(p->cwd, "/home");
	assert_int_equal(p->capabilities->bounding_len, 2);
	assert_string_equal(p->capabilities->bounding[1], "CAP_CHOWN");
	assert_int_equal(p->capabilities->inheritable_len, 0);
	assert_non_null(p->capabilities->inheritable);
	assert_int_equal(p->capabilities->ambient_len, 1);
	assert_int_equal(p->rlimits_len, 2);
	assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
	assert_true(p->rlimits[0].hard == UINT64_MAX);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "unconfined");
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -998);
	assert_string_equal(p->selinux_label, "system_u:r");
	assert_string_equal(p->scheduler->policy, "SCHED_DEADLINE");
	assert_true(p->scheduler->has_nice);
	assert_int_equal(p->scheduler->nice, -5);
	assert_int_equal(p->scheduler->priority, 2);
	assert_string_equal(p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK");
	assert_int_equal(p->scheduler->runtime, 1000);
	assert_int_equal(p->scheduler->deadline, 2000);
	assert_int_equal(p->scheduler->period, 3000);
	assert_string_equal(p->io_priority->class, "IOPRIO_CLASS_BE");
	assert_int_equal(p->io_priority->priority, 7);
	assert_string_equal(p->exec_cpu_affinity->initial, "0-3");
	assert_string_equal(p->exec_cpu_affinity->final, "7");
	oci_config_free(c);
}

static void test_rich_top_level(void **state)
{
	(void)state;
	struct oci_config *c = parse_ok(rich_config);
	assert_string_equal(c->root->path, "rootfs");
	assert_true(c->root->readonly);
	assert_string_equal(c->hostname, "box");
	assert_string_equal(c->domainname, "example.org");
	assert_int_equal(c->mounts_len, 2);
	assert_string_equal(c->mounts[0].destination, "/proc");
	assert_null(c->mounts[0].options);
	assert_string_equal(c->mounts[1].options[1], "ro");
	assert_int_equal(c->mounts[1].uid_mappings[0].host_id, 100000);
	assert_int_equal(c->mounts[1].uid_mappings[0].size, 65536);
	assert_int_equal(c->mounts[1].gid_mappings[0].host_id, 200000);
	assert_int_equal(c->hooks->prestart_len, 1);
	assert_string_equal(c->hooks->prestart[0].path, "/bin/pre");
	assert_string_equal(c->hooks->prestart[0].args[1], "1");
	assert_string_equal(c->hooks->prestart[0].env[0], "X=1");
	assert_true(c->hooks->prestart[0].has_timeout);
	assert_int_equal(c->hooks->prestart[0].timeout, 5);
	assert_string_equal(c->hooks->create_runtime[0].path, "/bin/cr");
	assert_string_equal(c->hooks->create_container[0].path, "/bin/cc");
	assert_string_equal(c->hooks->start_container[0].path, "/bin/sc");
	assert_string_equal(c->hooks->poststart[0].path, "/bin/ps");
	assert_int_equal(c->hooks->poststop_len, 2);
	assert_false(c->hooks->poststop[1].has_timeout);
	assert_string_equal(oci_string_map_get(&c->annotations, "io.strata.isolation"), "native");
	assert_null(oci_string_map_get(&c->annotations, "missing"));
	oci_config_free(c);
}

static void test_rich_linux(void **state)
{
	(void)state;
	struct oci_config *c = parse_ok(rich_config);
	struct oci_linux *l = c->linux_;
	assert_int_equal(l->namespaces_len, 8);
	const struct oci_namespace *ns = oci_config_find_namespace(c, OCI_NS_NETWORK);
	assert_non_null(ns);
	assert_string_equal(ns->path, "/var/run/netns/x");
	assert_null(oci_config_find_namespace(c, OCI_NS_PID)->path);
	assert_non_null(oci_config_find_namespace(c, OCI_NS_TIME));
	assert_int_equal(l->uid_mappings[0].host_id, 1000);
	assert_int_equal(l->gid_mappings[0].size, 2);
	assert_int_equal(l->devices_len, 2);
	assert_string_equal(l->devices[0].type, "c");
	assert_int_equal(l->devices[0].major, 10);
	assert_int_equal(l->devices[0].minor, 229);
	assert_true(l->devices[0].has_file_mode);
	assert_int_equal(l->devices[0].file_mode, 0666);
	assert_string_equal(l->devices[1].type, "p");
	assert_string_equal(l->cgroups_path, "/strata/c1");
	assert_string_equal(oci_string_map_get(&l->sysctl, "net.ipv4.ip_forward"), "1");
	struct oci_seccomp *s = l->seccomp;
	assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
	assert_true(s->has_default_errno_ret);
	assert_int_equal(s->default_errno_ret, 38);
	assert_string_equal(s->architectures[0], "SCMP_ARCH_X86_64");
	assert_string_equal(s->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	assert_string_equal(s->listener_path, "/run/seccomp.sock");
	assert_string_equal(s->listener_metadata, "meta");
	assert_int_equal(s->syscalls_len, 2);
	assert_int_equal(s->syscalls[0].names_len, 2);
	assert_false(s->syscalls[0].has_errno_ret);
	assert_int_equal(s->syscalls[1].errno_ret, 1);
	assert_int_equal(s->syscalls[1].args_len, 2);
	assert_int_equal(s->syscalls[1].args[0].value, 8);
	assert_string_equal(s->syscalls[1].args[0].op, "SCMP_CMP_EQ");
	assert_int_equal(s->syscalls[1].args[1].index, 5);
	assert_true(s->syscalls[1].args[1].value == UINT64_MAX);
	assert_string_equal(l->rootfs_propagation, "rslave");
	assert_string_equal(l->masked_paths[0], "/proc/kcore");
	assert_int_equal(l->readonly_paths_len, 2);
	assert_string_equal(l->mount_label, "system_u:object_r");
	assert_string_equal(l->personality->domain, "LINUX32");
	assert_int_equal(l->time_offsets_len, 2);
	assert_string_equal(l->time_offsets[0].clock, "monotonic");
	assert_int_equal(l->time_offsets[0].secs, -3600);
	assert_int_equal(l->time_offsets[0].nanosecs, 5);
	assert_int_equal(l->net_devices_len, 2);
	assert_string_equal(l->net_devices[0].host_name, "eth1");
	assert_string_equal(l->net_devices[0].name, "net0");
	assert_null(l->net_devices[1].name);
	assert_string_equal(l->memory_policy->mode, "MPOL_BIND");
	assert_string_equal(l->memory_policy->nodes, "0-1");
	assert_string_equal(l->memory_policy->flags[0], "MPOL_F_STATIC_NODES");
	assert_string_equal(l->intel_rdt->clos_id, "g1");
	assert_string_equal(l->intel_rdt->schemata[0], "L2:0=f");
	assert_true(l->intel_rdt->enable_cmt);
	assert_false(l->intel_rdt->enable_mbm);
	assert_true(l->intel_rdt->enable_monitoring);
	oci_config_free(c);
}

static void test_rich_resources(void **state)
{
	(void)state;
	struct oci_config *c = parse_ok(rich_config);
	struct oci_resources *r = c->linux_->resources;
	assert_int_equal(r->devices_len, 2);
	assert_false(r->devices[0].allow);
	assert_null(r->devices[0].type);
	assert_false(r->devices[0].has_major);
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].minor, 229);
	assert_string_equal(r->devices[1].access, "rw");
	assert_int_equal(r->memory->limit, 134217728);
	assert_int_equal(r->memory->swap, -1);
	assert_int_equal(r->memory->swappiness, 60);
	assert_true(r->memory->has_disable_oom_killer && r->memory->disable_oom_killer);
	assert_true(r->memory->has_use_hierarchy && !r->memory->use_hierarchy);
	assert_true(r->memory->check_before_update);
	assert_int_equal(r->cpu->shares, 1024);
	assert_int_equal(r->cpu->quota, 50000);
	assert_int_equal(r->cpu->burst, 1000);
	assert_int_equal(r->cpu->period, 100000);
	assert_int_equal(r->cpu->realtime_runtime, 950000);
	assert_int_equal(r->cpu->realtime_period, 1000000);
	assert_string_equal(r->cpu->cpus, "0-1");
	assert_int_equal(r->cpu->idle, 1);
	assert_true(r->has_pids_limit);
	assert_int_equal(r->pids_limit, 2048);
	assert_int_equal(r->block_io->weight, 500);
	assert_int_equal(r->block_io->leaf_weight, 300);
	assert_int_equal(r->block_io->weight_device[0].weight, 600);
	assert_false(r->block_io->weight_device[0].has_leaf_weight);
	assert_int_equal(r->block_io->throttle_read_bps_device[0].rate, 1048576);
	assert_int_equal(r->block_io->throttle_write_bps_device[0].rate, 2);
	assert_int_equal(r->block_io->throttle_read_iops_device[0].rate, 3);
	assert_int_equal(r->block_io->throttle_write_iops_device[0].minor, 16);
	assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
	assert_int_equal(r->hugepage_limits[0].limit, 209715200);
	assert_int_equal(r->network->class_id, 1048577);
	assert_string_equal(r->network->priorities[0].name, "eth0");
	assert_int_equal(r->network->priorities[0].priority, 500);
	assert_int_equal(r->rdma_len, 1);
	assert_string_equal(r->rdma[0].device, "mlx5_1");
	assert_int_equal(r->rdma[0].hca_handles, 3);
	assert_int_equal(r->rdma[0].hca_objects, 10000);
	assert_string_equal(oci_string_map_get(&r->unified, "memory.high"), "1G");
	oci_config_free(c);
}

static void test_minimal_and_nulls(void **state)
{
	(void)state;
	/* Only ociVersion is required; null means absent for optional fields (as in Go). */
	struct oci_config *c = parse_ok("{'ociVersion':'1.0.2','process':null,'mounts':null,'annotations':null,"
					"'linux':{'resources':null,'sysctl':null}}");
	assert_null(c->process);
	assert_null(c->root);
	assert_int_equal(c->mounts_len, 0);
	assert_int_equal(c->annotations.len, 0);
	assert_non_null(c->linux_);
	assert_null(c->linux_->resources);
	assert_null(oci_config_find_namespace(c, OCI_NS_PID));
	oci_config_free(c);
}

static void test_duplicate_keys_last_wins(void **state)
{
	(void)state;
	struct oci_config *c = parse_ok("{'ociVersion':'1','hostname':'a','hostname':'b',"
					"'annotations':{'k':'1','j':'2','k':'3'}}");
	assert_string_equal(c->hostname, "b");
	assert_int_equal(c->annotations.len, 2);
	assert_string_equal(oci_string_map_get(&c->annotations, "k"), "3");
	oci_config_free(c);
}

/* Mount destinations come out cleaned lexically, so every level mounts on
 * the same place and nothing walks a "." or ".." component. */
static void test_mount_destination_cleaned(void **state)
{
	(void)state;
	struct oci_config *c = parse_ok("{'ociVersion':'1','mounts':[{'destination':'//mnt/./x/../vol/'},"
					"{'destination':'/../../etc//hosts'},{'destination':'/'},"
					"{'destination':'/dev/'}]}");
	assert_int_equal(c->mounts_len, 4);
	assert_string_equal(c->mounts[0].destination, "/mnt/vol");
	assert_string_equal(c->mounts[1].destination, "/etc/hosts");
	assert_string_equal(c->mounts[2].destination, "/");
	assert_string_equal(c->mounts[3].destination, "/dev");
	oci_config_free(c);
}

static void test_lenient_values(void **state)
{
	(void)state;
	/* per-device blkio weight 0 (Docker's "unset"), pids without limit,
	 * a fifo device without major/minor, -0 for an unsigned field */
	struct oci_config *c = parse_ok("{'ociVersion':'1','linux':{'resources':{'blockIO':{'weightDevice':"
					"[{'major':8,'minor':0,'weight':0}]},'pids':{}},"
					"'devices':[{'type':'p','path':'/dev/f'}],'uidMappings':[{'containerID':-0,"
					"'hostID':1,'size':1}]}}");
	assert_true(c->linux_->resources->block_io->weight_device[0].has_weight);
	assert_int_equal(c->linux_->resources->block_io->weight_device[0].weight, 0);
	assert_false(c->linux_->resources->has_pids_limit);
	assert_int_equal(c->linux_->uid_mappings[0].container_id, 0);
	oci_config_free(c);
	expect_error("{'ociVersion':'1','linux':{'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0,"
		     "'weight':9}]}}}}",
		     "config.json: .linux.resources.blockIO.weightDevice[0].weight: expected an integer between 10 and "
		     "1000, got 9");
}

static void test_error_types(void **state)
{
	(void)state;
	expect_error("{'ociVersion':'1','process':{'user':{'uid':'root','gid':0},'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.user.uid: expected an integer, got \"root\"");
	expect_error("{'ociVersion':1}", "config.json: .ociVersion: expected a string, got 1");
	expect_error("{'ociVersion':'1','process':{'terminal':'yes','user':{'uid':0,'gid':0},'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.terminal: expected a boolean, got \"yes\"");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':1.5,'gid':0},'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.user.uid: expected an integer, got 1.5");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':0,'gid':0},'args':['sh',5],'cwd':'/'}}",
		     "config.json: .process.args[1]: expected a string, got 5");
	expect_error("{'ociVersion':'1','mounts':{}}", "config.json: .mounts: expected an array, got an object");
	expect_error("{'ociVersion':'1','linux':[]}", "config.json: .linux: expected an object, got an array");
	expect_error("{'ociVersion':'1','linux':{'sysctl':{'net.ipv4.ip_forward':1}}}",
		     "config.json: .linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1");
	expect_error("{'ociVersion':'1','linux':{'resources':{'rdma':{'mlx5_1':{'hcaHandles':true}}}}}",
		     "config.json: .linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected an integer, got true");
	expect_error("{'ociVersion':'1','hostname':null,'root':{'path':null}}",
		     "config.json: .root.path: expected a string, got null");
	expect_error("{'ociVersion':'a\\u0000b'}", "config.json: .ociVersion: string contains a NUL character");
}

static void test_error_ranges(void **state)
{
	(void)state;
	expect_error("{'ociVersion':'1','process':{'user':{'uid':4294967296,'gid':0},'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.user.uid: expected an integer between 0 and 4294967295, got 4294967296");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':0,'gid':-1},'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.user.gid: expected an integer between 0 and 4294967295, got -1");
	expect_error("{'ociVersion':'1','process':{'oomScoreAdj':1001," PROC_REST,
		     "config.json: .process.oomScoreAdj: expected an integer between -1000 and 1000, got 1001");
	expect_error("{'ociVersion':'1','process':{'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}," PROC_REST,
		     "config.json: .process.ioPriority.priority: expected an integer between 0 and 7, got 8");
	expect_error("{'ociVersion':'1','linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
		     "'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}}}",
		     "config.json: .linux.seccomp.syscalls[0].args[0].index: expected an integer between 0 and 5, got 6");
	expect_error("{'ociVersion':'1','linux':{'resources':{'blockIO':{'weight':5}}}}",
		     "config.json: .linux.resources.blockIO.weight: expected an integer between 10 and 1000, got 5");
	expect_error("{'ociVersion':'1','linux':{'resources':{'memory':{'swappiness':101}}}}",
		     "config.json: .linux.resources.memory.swappiness: expected an integer between 0 and 100, got 101");
	expect_error("{'ociVersion':'1','hooks':{'poststop':[{'path':'/x','timeout':0}]}}",
		     "config.json: .hooks.poststop[0].timeout: expected an integer between 1 and 2147483647, got 0");
	expect_error("{'ociVersion':'1','linux':{'resources':{'memory':{'limit':9223372036854775808}}}}",
		     "config.json: .linux.resources.memory.limit: expected an integer between -9223372036854775808 and "
		     "9223372036854775807, got 9223372036854775808");
	expect_error("{'ociVersion':'1','process':{'rlimits':[{'type':'RLIMIT_CORE','hard':18446744073709551616,'soft':1}],"
		     PROC_REST,
		     "config.json: .process.rlimits[0].hard: expected an integer between 0 and 18446744073709551615, got "
		     "18446744073709551616");
}

static void test_error_required(void **state)
{
	(void)state;
	expect_error("{}", "config.json: .ociVersion: required field is missing");
	expect_error("{'ociVersion':'1','process':{'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.user: required field is missing");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':0},'args':['sh'],'cwd':'/'}}",
		     "config.json: .process.user.gid: required field is missing");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':0,'gid':0},'args':['sh']}}",
		     "config.json: .process.cwd: required field is missing");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':0,'gid':0},'args':[],'cwd':'/'}}",
		     "config.json: .process.args: expected at least one element");
	expect_error("{'ociVersion':'1','mounts':[{'destination':'/a'},{'destination':'/b'},{'type':'tmpfs'}]}",
		     "config.json: .mounts[2].destination: required field is missing");
	expect_error("{'ociVersion':'1','root':{}}", "config.json: .root.path: required field is missing");
	expect_error("{'ociVersion':'1','linux':{'namespaces':[{'path':'/proc/1/ns/net'}]}}",
		     "config.json: .linux.namespaces[0].type: required field is missing");
	expect_error("{'ociVersion':'1','linux':{'devices':[{'type':'c','path':'/dev/x','minor':1}]}}",
		     "config.json: .linux.devices[0].major: required field is missing");
	expect_error("{'ociVersion':'1','linux':{'uidMappings':[{'containerID':0,'hostID':0}]}}",
		     "config.json: .linux.uidMappings[0].size: required field is missing");
	expect_error("{'ociVersion':'1','linux':{'seccomp':{}}}",
		     "config.json: .linux.seccomp.defaultAction: required field is missing");
	expect_error("{'ociVersion':'1','linux':{'resources':{'devices':[{'access':'rwm'}]}}}",
		     "config.json: .linux.resources.devices[0].allow: required field is missing");
}

static void test_error_enums(void **state)
{
	(void)state;
	expect_error("{'ociVersion':'1','linux':{'namespaces':[{'type':'net'}]}}",
		     "config.json: .linux.namespaces[0].type: expected one of pid, network, mount, ipc, uts, user, "
		     "cgroup, time, got \"net\"");
	expect_error("{'ociVersion':'1','linux':{'devices':[{'type':'x','path':'/dev/x','major':1,'minor':1}]}}",
		     "config.json: .linux.devices[0].type: expected one of c, b, u, p, got \"x\"");
	expect_error("{'ociVersion':'1','linux':{'rootfsPropagation':'both'}}",
		     "config.json: .linux.rootfsPropagation: expected one of private, rprivate, shared, rshared, slave, "
		     "rslave, unbindable, runbindable, got \"both\"");
	expect_error("{'ociVersion':'1','process':{'ioPriority':{'class':'RT','priority':0}," PROC_REST,
		     "config.json: .process.ioPriority.class: expected one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, "
		     "IOPRIO_CLASS_IDLE, got \"RT\"");
	expect_error("{'ociVersion':'1','process':{'scheduler':{'policy':'SCHED_FAST'}," PROC_REST,
		     "config.json: .process.scheduler.policy: expected one of SCHED_OTHER, SCHED_FIFO, SCHED_RR, "
		     "SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE, got \"SCHED_FAST\"");
	expect_error("{'ociVersion':'1','linux':{'personality':{'domain':'LINUX64'}}}",
		     "config.json: .linux.personality.domain: expected one of LINUX, LINUX32, got \"LINUX64\"");
	expect_error("{'ociVersion':'1','linux':{'resources':{'devices':[{'allow':true,'access':'rwx'}]}}}",
		     "config.json: .linux.resources.devices[0].access: expected a combination of r, w and m, got \"rwx\"");
	expect_error("{'ociVersion':'1','linux':{'timeOffsets':{'realtime':{'secs':1}}}}",
		     "config.json: .linux.timeOffsets[\"realtime\"]: unknown clock, expected monotonic or boottime");
}

static void test_error_paths_and_duplicates(void **state)
{
	(void)state;
	expect_error("{'ociVersion':'1','mounts':[{'destination':'/a'},{'destination':'/b'},{'destination':'proc'}]}",
		     "config.json: .mounts[2].destination: expected an absolute path, got \"proc\"");
	expect_error("{'ociVersion':'1','hooks':{'prestart':[{'path':'hook.sh'}]}}",
		     "config.json: .hooks.prestart[0].path: expected an absolute path, got \"hook.sh\"");
	expect_error("{'ociVersion':'1','process':{'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'home'}}",
		     "config.json: .process.cwd: expected an absolute path, got \"home\"");
	expect_error("{'ociVersion':'1','linux':{'devices':[{'type':'c','path':'dev/null','major':1,'minor':3}]}}",
		     "config.json: .linux.devices[0].path: expected an absolute path, got \"dev/null\"");
	expect_error("{'ociVersion':'1','linux':{'maskedPaths':['/proc/kcore','proc/keys']}}",
		     "config.json: .linux.maskedPaths[1]: expected an absolute path, got \"proc/keys\"");
	expect_error("{'ociVersion':'1','linux':{'namespaces':[{'type':'pid'},{'type':'uts'},{'type':'pid'}]}}",
		     "config.json: .linux.namespaces[2].type: duplicate namespace type \"pid\"");
	expect_error("{'ociVersion':'1','process':{'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':1},"
		     "{'type':'RLIMIT_NOFILE','hard':2,'soft':2}]," PROC_REST,
		     "config.json: .process.rlimits[1].type: duplicate rlimit type \"RLIMIT_NOFILE\"");
}

static void test_error_malformed(void **state)
{
	(void)state;
	expect_error("[1,2]", "config.json: expected an object, got an array");
	expect_error("'just a string'", "config.json: expected an object, got \"just a string\"");
	expect_error("null", "config.json: expected an object, got null");
	expect_error("{'ociVersion':'1',}",
		     "config.json: malformed JSON at line 1, column 19: parse error: invalid object key (must be a string)");
	expect_error("{'ociVersion':\n'1'", "config.json: malformed JSON at line 2, column 4: parse error: premature EOF");
	expect_error("", "config.json: malformed JSON at line 1, column 1: parse error: premature EOF");
	expect_error("{} {}", "config.json: malformed JSON at line 1, column 4: parse error: trailing garbage");
}

static void test_deep_nesting_rejected(void **state)
{
	(void)state;
	char buf[1024];
	size_t n = 0;
	buf[n++] = '{';
	memcpy(buf + n, "'x':", 4);
	n += 4;
	for (int i = 0; i < 200; i++)
		buf[n++] = '[';
	buf[n] = '\0';
	char *t = J(buf);
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	assert_int_equal(oci_config_parse("config.json", t, strlen(t), &c, &err), -1);
	assert_non_null(strstr(err->msg, "nesting deeper than 128 levels"));
	strata_error_free(&err);
	free(t);
}

static void test_process_and_resources_parse(void **state)
{
	(void)state;
	/* exec --process as the containerd shim writes it (client-contract 3.3) */
	char *t = J("{'user':{'uid':0,'gid':0,'additionalGids':[0]},'args':['ls','-l'],'env':['PATH=/bin'],'cwd':'/',"
		    "'capabilities':{'bounding':['CAP_KILL'],'effective':['CAP_KILL'],'permitted':['CAP_KILL']},"
		    "'oomScoreAdj':0}");
	struct oci_process *p = NULL;
	strata_error_t err = NULL;
	assert_int_equal(oci_process_parse("process.json", t, strlen(t), &p, &err), 0);
	assert_string_equal(p->args[1], "-l");
	assert_true(p->has_oom_score_adj);
	oci_process_free(p);
	free(t);

	t = J("{'user':{'uid':0,'gid':0},'args':['ls'],'cwd':'.'}");
	assert_int_equal(oci_process_parse("process.json", t, strlen(t), &p, &err), -1);
	assert_string_equal(err->msg, "process.json: .cwd: expected an absolute path, got \".\"");
	strata_error_free(&err);
	free(t);

	/* update --resources as podman writes it */
	t = J("{'memory':{'limit':134217728,'swap':268435456},'pids':{'limit':10}}");
	struct oci_resources *r = NULL;
	assert_int_equal(oci_resources_parse("resources", t, strlen(t), &r, &err), 0);
	assert_int_equal(r->memory->swap, 268435456);
	assert_int_equal(r->pids_limit, 10);
	oci_resources_free(r);
	free(t);

	t = J("{'cpu':{'shares':-2}}");
	assert_int_equal(oci_resources_parse("resources", t, strlen(t), &r, &err), -1);
	assert_string_equal(err->msg, "resources: .cpu.shares: expected an integer between 0 and 18446744073709551615, got -2");
	strata_error_free(&err);
	free(t);
}

static void test_default_spec_round_trip(void **state)
{
	(void)state;
	char *s = oci_config_default_json(false);
	assert_non_null(s);
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	assert_int_equal(oci_config_parse("config.json", s, strlen(s), &c, &err), 0);
	assert_string_equal(c->oci_version, OCI_SPEC_VERSION);
	assert_true(c->process->terminal);
	assert_string_equal(c->process->args[0], "sh");
	assert_int_equal(c->process->user.uid, 0);
	assert_string_equal(c->process->env[1], "TERM=xterm");
	assert_int_equal(c->process->capabilities->bounding_len, 3);
	assert_string_equal(c->process->rlimits[0].type, "RLIMIT_NOFILE");
	assert_int_equal(c->process->rlimits[0].hard, 1024);
	assert_true(c->process->no_new_privileges);
	assert_string_equal(c->root->path, "rootfs");
	assert_true(c->root->readonly);
	assert_string_equal(c->hostname, "strata");
	assert_int_equal(c->mounts_len, 7);
	assert_string_equal(c->mounts[2].destination, "/dev/pts");
	assert_string_equal(c->mounts[2].options[5], "gid=5");
	assert_string_equal(c->mounts[5].type, "sysfs");
	assert_int_equal(c->linux_->namespaces_len, 6);
	assert_non_null(oci_config_find_namespace(c, OCI_NS_NETWORK));
	assert_non_null(oci_config_find_namespace(c, OCI_NS_CGROUP));
	assert_null(oci_config_find_namespace(c, OCI_NS_USER));
	assert_false(c->linux_->resources->devices[0].allow);
	assert_string_equal(c->linux_->resources->devices[0].access, "rwm");
	assert_int_equal(c->linux_->masked_paths_len, 10);
	assert_int_equal(c->linux_->readonly_paths_len, 5);
	oci_config_free(c);
	free(s);

	s = oci_config_default_json(true);
	assert_non_null(s);
	assert_int_equal(oci_config_parse("config.json", s, strlen(s), &c, &err), 0);
	assert_null(oci_config_find_namespace(c, OCI_NS_NETWORK));
	assert_non_null(oci_config_find_namespace(c, OCI_NS_USER));
	assert_int_equal(c->linux_->uid_mappings_len, 1);
	assert_int_equal(c->linux_->uid_mappings[0].host_id, geteuid());
	assert_int_equal(c->linux_->gid_mappings[0].host_id, getegid());
	assert_int_equal(c->linux_->uid_mappings[0].container_id, 0);
	assert_null(c->linux_->resources);
	assert_string_equal(c->mounts[5].type, "none");
	assert_string_equal(c->mounts[5].options[0], "rbind");
	for (size_t i = 0; i < c->mounts[2].options_len; i++)
		assert_true(strncmp(c->mounts[2].options[i], "gid=", 4) != 0);
	oci_config_free(c);
	free(s);
}

static void test_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/strata-test-oci-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct oci_config *c = NULL;
	strata_error_t err = NULL;
	assert_int_equal(oci_config_load(dir, &c, &err), -1);
	assert_non_null(strstr(err->msg, "No such file or directory"));
	strata_error_free(&err);

	char path[64];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"ociVersion\": \"1.3.0\", \"hostname\": \"h\"}", f);
	fclose(f);
	assert_int_equal(oci_config_load(dir, &c, &err), 0);
	assert_string_equal(c->hostname, "h");
	oci_config_free(c);
	unlink(path);
	rmdir(dir);
}

static void test_namespace_names(void **state)
{
	(void)state;
	assert_string_equal(oci_namespace_type_name(OCI_NS_PID), "pid");
	assert_string_equal(oci_namespace_type_name(OCI_NS_NETWORK), "network");
	assert_string_equal(oci_namespace_type_name(OCI_NS_TIME), "time");
	assert_null(oci_namespace_type_name(OCI_NS__COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rich_process),
		cmocka_unit_test(test_rich_top_level),
		cmocka_unit_test(test_rich_linux),
		cmocka_unit_test(test_rich_resources),
		cmocka_unit_test(test_minimal_and_nulls),
		cmocka_unit_test(test_duplicate_keys_last_wins),
		cmocka_unit_test(test_mount_destination_cleaned),
		cmocka_unit_test(test_lenient_values),
		cmocka_unit_test(test_error_types),
		cmocka_unit_test(test_error_ranges),
		cmocka_unit_test(test_error_required),
		cmocka_unit_test(test_error_enums),
		cmocka_unit_test(test_error_paths_and_duplicates),
		cmocka_unit_test(test_error_malformed),
		cmocka_unit_test(test_deep_nesting_rejected),
		cmocka_unit_test(test_process_and_resources_parse),
		cmocka_unit_test(test_default_spec_round_trip),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_namespace_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
