export * from "./lines";
export * from "./history";
