/**
 * The unit suite of the quick loop (`npm test`, tools/check.js): the model, the components under
 * mocks, the program and the tools; no Docker, SSH or root. The scripts run as processes are
 * jest.scripts.config.js, the lab's tests jest.lab.config.js, the real engine's jest.engine.config.js.
 */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/lab/", "<rootDir>/test/engine/", "<rootDir>/test/scripts/"],
    // Whole-program evaluations, once per run (test/helpers/evaluations.ts).
    globalSetup: "<rootDir>/test/globalSetup.ts",
    testTimeout: 60000,
};
