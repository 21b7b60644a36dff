/**
 * The broker's security settings against a real RabbitMQ 3.10: the files from
 * renderBrokerFiles must let guest in over AMQP from a non-loopback address (PARWOP cannot
 * send other credentials) while the management API refuses guest and accepts the admin.
 * A broker from the same image without the files is the control: it refuses guest, so the
 * first half is the files' doing, not the image's.
 */
import * as amqp from "amqplib";
import {
    adminPassword,
    adminUser,
    Broker,
    docker,
    labHostAddress,
    removeContainers,
    requireLab,
    startBroker,
    waitBrokerReady,
    waitFor,
} from "./lab";

function basic(user: string, password: string): Record<string, string> {
    return { Authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64") };
}

describe("broker: parwop-lab-rabbitmq:test with renderBrokerFiles", () => {
    let configured: Broker;
    let stock: Broker;

    beforeAll(async () => {
        requireLab();
        [configured, stock] = await Promise.all([startBroker("broker", true), startBroker("broker-stock", false)]);
        await Promise.all([waitBrokerReady(configured), waitBrokerReady(stock)]);
    });

    afterAll(async () => {
        await removeContainers(...[configured, stock].filter((b) => b).map((b) => b.name));
    });

    test("the uploaded conf.d file is the one RabbitMQ loaded", async () => {
        const env = await docker("exec", configured.name, "rabbitmq-diagnostics", "-q", "environment");
        expect(env).toMatch(/\{loopback_users,\s*\[\]\}/);
    });

    test("guest can connect and publish over AMQP from a non-loopback address", async () => {
        const conn = await amqp.connect(`amqp://guest:guest@${labHostAddress}:${configured.amqpPort}`);
        try {
            const ch = await conn.createChannel();
            const q = await ch.assertQueue("", { exclusive: true });
            ch.sendToQueue(q.queue, Buffer.from("hello from guest"));
            const msg = await waitFor("the published message", 10_000, async () => (await ch.get(q.queue, { noAck: true })) || undefined);
            expect(msg.content.toString()).toBe("hello from guest");
        } finally {
            await conn.close();
        }
    });

    test("control: the image alone refuses guest from a non-loopback address, not over loopback", async () => {
        await expect(amqp.connect(`amqp://guest:guest@${labHostAddress}:${stock.amqpPort}`)).rejects.toThrow(/ACCESS.REFUSED/);
        // Over loopback (pika from inside the container) the same guest gets in: the refusal
        // above is RabbitMQ's loopback rule, which the uploaded conf.d file lifts.
        const out = await docker(
            "exec",
            stock.name,
            "python3",
            "-c",
            "import pika; c = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1')); print('guest ok'); c.close()",
        );
        expect(out.trim()).toBe("guest ok");
    });

    test("the management API refuses guest", async () => {
        const res = await fetch(`http://${labHostAddress}:${configured.mgmtPort}/api/whoami`, { headers: basic("guest", "guest") });
        expect(res.status).toBe(401);
    });

    test("the management API refuses the admin with a wrong password", async () => {
        const res = await fetch(`http://${labHostAddress}:${configured.mgmtPort}/api/whoami`, { headers: basic(adminUser, "wrong") });
        expect(res.status).toBe(401);
    });

    test("the management API accepts the admin as administrator", async () => {
        const res = await fetch(`http://${labHostAddress}:${configured.mgmtPort}/api/whoami`, { headers: basic(adminUser, adminPassword) });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { name: string; tags: string[] | string };
        expect(body.name).toBe(adminUser);
        expect(([] as string[]).concat(body.tags)).toContain("administrator");
    });
});
