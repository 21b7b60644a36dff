/** The one place URLs are built: every PARWOP address, broker address, engine host and output uses these. */
export function httpUrl(host: string, port: number): string {
    return `http://${host}:${port}`;
}

export function amqpUrl(host: string, port: number): string {
    return `amqp://${host}:${port}`;
}

/** A node's Docker engine as the docker provider's `host` takes it: over ssh, or this machine's socket. */
export function dockerHostUrl(node: { local: boolean; host: string }, ssh: { user: string; port: number }): string {
    return node.local ? "unix:///var/run/docker.sock" : `ssh://${ssh.user}@${node.host}:${ssh.port}`;
}

/** The address a program inside a host-network container reaches its own node's services at. */
export const loopbackHost = "127.0.0.1";
