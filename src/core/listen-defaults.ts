// Where DistillGuard's servers listen unless told otherwise: loopback only, so nothing is exposed
// to the network by default. The CLI's option defaults and the servers' own defaults both read these.

/** The address servers bind when no --host is given. */
export const defaultListenHost = '127.0.0.1';
/** The gateway's port when no --port is given. */
export const defaultGatewayPort = 8080;
