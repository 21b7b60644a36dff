/**
 * Ports inside the broker's container: RabbitMQ's own, which the node publishes as ports.amqp
 * and ports.management. PARWOP's roles use the host network, so their ports are the config's.
 */
export const brokerContainerPorts = { amqp: 5672, management: 15672 } as const;
