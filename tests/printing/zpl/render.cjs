// Render ZPL (stdin) to PNG files with zpl-renderer-js (zebrash compiled to WebAssembly).
// Usage: node render.cjs OUT_PREFIX [width_mm height_mm dpmm]; prints one PNG path per label.
const fs = require("node:fs");
const { ready } = require("zpl-renderer-js");

(async () => {
  const [prefix, widthMm = "101.6", heightMm = "152.4", dpmm = "8"] = process.argv.slice(2);
  const zpl = fs.readFileSync(0, "utf8");
  const { api } = await ready;
  const labels = await api.zplToBase64MultipleAsync(zpl, Number(widthMm), Number(heightMm), Number(dpmm));
  labels.forEach((label, index) => {
    const path = `${prefix}-${index}.png`;
    fs.writeFileSync(path, Buffer.from(label, "base64"));
    console.log(path);
  });
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
