module.exports = eval("require")("../credential/index.js");
