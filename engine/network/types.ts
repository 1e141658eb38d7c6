// The shapes the network code shares with the rest of the engine.

/** One published port: hostIp '' means every address of the host; hostPort 0 means "pick a free one at start". */
export interface PortMapping {
	hostIp: string;
	hostPort: number;
	containerPort: number;
	protocol: 'tcp' | 'udp';
}

/** A network of one storage root, as networks.json keeps it. */
export interface NetworkRecord {
	name: string;
	/** 64 hex digits. */
	id: string;
	/** CIDR, e.g. 10.90.0.0/24. */
	subnet: string;
	gateway: string;
	/** The host's bridge device, c32br<N>. */
	bridge: string;
	/** No outbound NAT and no default route: the containers reach each other and the gateway only. */
	internal: boolean;
	createdAt: string;
}

/** A network as the engine reports it: the record plus the names of the containers configured on it. */
export interface NetworkInfo extends NetworkRecord {
	containers: string[];
}

/** The name of the network standard containers join unless told otherwise. */
export const DEFAULT_NETWORK = 'c32';
