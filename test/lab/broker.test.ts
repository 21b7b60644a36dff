/**
 * The control for the broker's security settings: the broker the program deploys lets guest in
 * over AMQP from another host while its management API refuses guest and accepts the admin
 * (test/engine/labstack.test.ts, through the real engine). The same image without the
 * program's files refuses guest from afar, so that is the files' doing, not the image's.
 */
import * as amqp from "amqplib";
import { Broker, docker, labHostAddress, removeContainers, requireLab, startBroker, waitBrokerReady } from "./lab";

describe("broker: parwop-lab-rabbitmq:test without the program's files", () => {
    let stock: Broker;

    beforeAll(async () => {
        requireLab();
        stock = await startBroker("broker-stock", false);
        await waitBrokerReady(stock);
    });

    afterAll(async () => {
        if (stock) await removeContainers(stock.name);
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
});
