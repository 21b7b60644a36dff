export * from "./broker";
export * from "./cluster";
export * from "./coordinator";
export * from "./experiment";
export * from "./healthGate";
export * from "./image";
export * from "./preflight";
export * from "./worker";
