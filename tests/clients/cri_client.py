#!/usr/bin/python3
"""cri_client.py - a tiny CRI client (kubelet's calls, runtime.v1 over gRPC)
for the cri.bats suite; crictl is not packaged in Debian 12.

    cri_client.py --socket S --gen DIR COMMAND [ARGS...]

DIR holds the modules compiled from cri/runtime_v1_subset.proto (compile
with `cri_client.py --gen DIR compile`).  Commands print one line:
    version                          runtime name and version
    run-pod NAME HANDLER             RunPodSandbox (NODE network, empty hostname) -> sandbox id
    create POD PODNAME NAME MEMORY CMD...  CreateContainer in POD (joins its namespaces), memory limit in bytes -> id
    start ID / stop ID TIMEOUT / rm ID
    status ID                        state and exit code, e.g. "CONTAINER_RUNNING 0"
    exec ID TIMEOUT CMD...           ExecSync: prints stdout, exits with the command's exit code
    update ID MEMORY                 UpdateContainerResources
    stop-pod POD / rm-pod POD
Errors (gRPC status) go to stderr with exit status 100.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
POD_CONFIGS = {}


def compile_protos(gen):
    from grpc_tools import protoc
    os.makedirs(gen, exist_ok=True)
    rc = protoc.main(["protoc", "-I" + os.path.join(HERE, "cri"), "--python_out=" + gen,
                      "--grpc_python_out=" + gen, os.path.join(HERE, "cri", "runtime_v1_subset.proto")])
    if rc != 0:
        sys.exit("protoc failed")


def pod_config(pb, name, cgroup_parent):
    # NODE network: no CNI needed.  The hostname must stay empty, or the
    # runtime would need a private UTS namespace.
    ns = pb.NamespaceOption(network=pb.NODE, pid=pb.CONTAINER, ipc=pb.POD)
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="strata-test", attempt=0),
        hostname="",
        log_directory="",
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent=cgroup_parent,
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns)))


def main():
    args = sys.argv[1:]
    sock = gen = None
    cgroup_parent = "/strata-cri"
    while args and args[0].startswith("--"):
        if args[0] == "--socket":
            sock = args[1]
        elif args[0] == "--gen":
            gen = args[1]
        elif args[0] == "--cgroup-parent":
            cgroup_parent = args[1]
        args = args[2:]
    cmd, rest = args[0], args[1:]
    if cmd == "compile":
        compile_protos(gen)
        return 0
    sys.path.insert(0, gen)
    import grpc
    import runtime_v1_subset_pb2 as pb
    import runtime_v1_subset_pb2_grpc as pbg
    rt = pbg.RuntimeServiceStub(grpc.insecure_channel("unix://" + sock))
    try:
        if cmd == "version":
            r = rt.Version(pb.VersionRequest(version="v1"))
            print(r.runtime_name, r.runtime_version, r.runtime_api_version)
        elif cmd == "run-pod":
            r = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=pod_config(pb, rest[0], cgroup_parent),
                                                         runtime_handler=rest[1]), timeout=60)
            print(r.pod_sandbox_id)
        elif cmd == "create":
            pod, pod_name, name, mem, argv = rest[0], rest[1], rest[2], int(rest[3]), rest[4:]
            cfg = pb.ContainerConfig(
                metadata=pb.ContainerMetadata(name=name, attempt=0),
                image=pb.ImageSpec(image="localhost/busybox:latest"),
                command=argv[:1], args=argv[1:], working_dir="/",
                envs=[pb.KeyValue(key="STRATA_TEST", value="cri")],
                linux=pb.LinuxContainerConfig(resources=pb.LinuxContainerResources(memory_limit_in_bytes=mem)))
            # kubelet passes the pod's config again with every CreateContainer
            r = rt.CreateContainer(pb.CreateContainerRequest(
                pod_sandbox_id=pod, config=cfg, sandbox_config=pod_config(pb, pod_name, cgroup_parent)), timeout=60)
            print(r.container_id)
        elif cmd == "start":
            rt.StartContainer(pb.StartContainerRequest(container_id=rest[0]), timeout=60)
        elif cmd == "stop":
            rt.StopContainer(pb.StopContainerRequest(container_id=rest[0], timeout=int(rest[1])), timeout=120)
        elif cmd == "rm":
            rt.RemoveContainer(pb.RemoveContainerRequest(container_id=rest[0]), timeout=60)
        elif cmd == "status":
            r = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=rest[0]), timeout=60)
            print(pb.ContainerState.Name(r.status.state), r.status.exit_code)
        elif cmd == "exec":
            r = rt.ExecSync(pb.ExecSyncRequest(container_id=rest[0], cmd=rest[2:], timeout=int(rest[1])), timeout=120)
            sys.stdout.write(r.stdout.decode())
            sys.stderr.write(r.stderr.decode())
            return r.exit_code
        elif cmd == "update":
            rt.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
                container_id=rest[0], linux=pb.LinuxContainerResources(memory_limit_in_bytes=int(rest[1]))), timeout=60)
        elif cmd == "stop-pod":
            rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=rest[0]), timeout=120)
        elif cmd == "rm-pod":
            rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=rest[0]), timeout=120)
        else:
            sys.exit("unknown command " + cmd)
    except grpc.RpcError as e:
        sys.stderr.write("%s: %s\n" % (e.code().name, e.details()))
        return 100
    return 0


if __name__ == "__main__":
    sys.exit(main())
