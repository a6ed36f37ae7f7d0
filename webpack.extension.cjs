// Merged by @jupyterlab/builder into the labextension's webpack config
// (package.json "jupyterlab.webpackConfig"). The compile Worker bundles
// web-tree-sitter and isl-wasm's Emscripten glue, whose Node-only branches
// import fs, path, url and module: those are never taken in a browser.
module.exports = {
  resolve: {
    fallback: { fs: false, 'fs/promises': false, path: false, url: false, module: false, crypto: false },
  },
};
