// Kubernetes manifests (docs/kube.md): generate maps containers and stack services to Pods,
// Deployments and Services; play maps a manifest back to engine configs. Pure but for the
// functions that act through the Engine.

export {downKube, type PlayOptions, playKube} from './apply.js';
export {cpuQuantity, generateKube, kubeDocuments, kubeName, sourceFromContainer, sourceFromService} from './generate.js';
export {loadKube, parseKube} from './play.js';
export * from './types.js';
export {kubeYaml} from './yaml.js';
