export * from "./rfm";
export * from "./lifecycle";
export * from "./profile";
