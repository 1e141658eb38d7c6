// Everything the engine needs from cgroups, v1 and v2.
export {parseMountInfo, findCgroupMounts, type MountInfoEntry, type CgroupMounts} from './mountinfo.js';
export {detectCgroupHost, cgroupHostFromMountInfo, classifyCgroupVersion, type CgroupHost, type CgroupVersion} from './detect.js';
export {cgroupDirs, cgroupDirsFor, allDirs, V1_CONTROLLERS, type CgroupDirs, type V1Controller} from './paths.js';
export {readCgroupSample, type CgroupSample} from './sample.js';
export {limitWrites, cpuQuotaUs, diskBytesPerSecond, CPU_PERIOD_US, type CgroupWrite, type LimitOptions} from './limits.js';
export {createCgroup, addProcess, enableBlockIoAccounting, type CreateCgroupOptions} from './writer.js';
export {cgroupProcesses, freezeCgroup, thawCgroup, isCgroupFrozen, killCgroup} from './control.js';
export {removeCgroup} from './remove.js';
export {blockDeviceOf, wholeDiskOf, formatDeviceNumber} from './blockdev.js';
