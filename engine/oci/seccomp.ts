// The default seccomp profile: allow by default, refuse (EPERM) the system calls that
// reach past the container into the kernel or the host: module loading, kexec, reboot,
// swap, clock changes, raw I/O ports, keyrings, bpf, perf, ptrace of other tasks,
// mount/namespace manipulation and new user namespaces. See docs/security.md.

const DENIED = [
	'acct',
	'add_key',
	'bpf',
	'clock_adjtime',
	'clock_settime',
	'create_module',
	'delete_module',
	'finit_module',
	'fsconfig',
	'fsmount',
	'fsopen',
	'fspick',
	'get_kernel_syms',
	'init_module',
	'ioperm',
	'iopl',
	'kcmp',
	'kexec_file_load',
	'kexec_load',
	'keyctl',
	'lookup_dcookie',
	'mount',
	'mount_setattr',
	'move_mount',
	'name_to_handle_at',
	'nfsservctl',
	'open_by_handle_at',
	'open_tree',
	'perf_event_open',
	'pivot_root',
	'process_vm_readv',
	'process_vm_writev',
	'ptrace',
	'query_module',
	'quotactl',
	'reboot',
	'request_key',
	'setns',
	'settimeofday',
	'stime',
	'swapoff',
	'swapon',
	'syslog',
	'umount',
	'umount2',
	'unshare',
	'uselib',
	'userfaultfd',
	'ustat',
	'vm86',
	'vm86old',
	'adjtimex',
];

/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET and NEWTIME. */
const NAMESPACE_CLONE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080];

export interface SeccompProfile {
	defaultAction: string;
	architectures: string[];
	syscalls: {names: string[]; action: string; errnoRet?: number; args?: unknown[]}[];
}

const ARCHITECTURES: Record<string, string[]> = {
	x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
	arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

/** `arch` is Node's process.arch of the host. */
export function defaultSeccompProfile(arch: string): SeccompProfile {
	const EPERM = 1;
	const ENOSYS = 38;
	return {
		defaultAction: 'SCMP_ACT_ALLOW',
		architectures: ARCHITECTURES[arch] ?? [],
		syscalls: [
			{names: DENIED, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM},
			// clone() may create threads and processes but no namespaces: one rule per flag, as
			// seccomp can only test that masked bits equal a value.
			...NAMESPACE_CLONE_FLAGS.map((flag) => ({
				names: ['clone'],
				action: 'SCMP_ACT_ERRNO',
				errnoRet: EPERM,
				args: [{index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ'}],
			})),
			// clone3 passes its flags in memory seccomp cannot read; ENOSYS makes libc fall back to clone.
			{names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS},
		],
	};
}
