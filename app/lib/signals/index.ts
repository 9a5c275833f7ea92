export * from "./types";
export * from "./session";
export * from "./features";
export * from "./storage";
