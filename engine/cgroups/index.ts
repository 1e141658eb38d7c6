// Everything the engine needs from cgroups, v1 and v2.

export {blockDeviceOf, formatDeviceNumber, wholeDiskOf} from './blockdev.js';
export {cgroupProcesses, freezeCgroup, isCgroupFrozen, killCgroup, thawCgroup} from './control.js';
export {type CgroupHost, type CgroupVersion, cgroupHostFromMountInfo, classifyCgroupVersion, detectCgroupHost} from './detect.js';
export {type CgroupWrite, CPU_PERIOD_US, cpuQuotaUs, diskBytesPerSecond, type LimitOptions, limitWrites} from './limits.js';
export {type CgroupMounts, findCgroupMounts, type MountInfoEntry, parseMountInfo} from './mountinfo.js';
export {allDirs, type CgroupDirs, cgroupDirs, cgroupDirsFor, V1_CONTROLLERS, type V1Controller} from './paths.js';
export {removeCgroup} from './remove.js';
export {type CgroupSample, type CgroupUsage, readCgroupSample, readCgroupUsage} from './sample.js';
export {addProcess, type CreateCgroupOptions, createCgroup, enableBlockIoAccounting} from './writer.js';
