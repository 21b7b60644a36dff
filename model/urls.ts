/** The one place URLs are built: every PARWOP address, broker address and output uses these. */
export function httpUrl(host: string, port: number): string {
    return `http://${host}:${port}`;
}

export function amqpUrl(host: string, port: number): string {
    return `amqp://${host}:${port}`;
}
