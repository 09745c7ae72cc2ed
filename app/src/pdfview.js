// PDF exhibits drawn as pages on a canvas by pdf.js (served at /pdfjs by the
// server, fetched by `make pdfjs`). Nothing in the PDF runs: no scripts (pdf.js
// never executes them here), no forms, no links; only the page's picture.
// Bundled by wasm-bindgen as a snippet of the hydrate bundle (app/src/pdf_view.rs).

const BASE = '/pdfjs/';
let library;
const documents = new Map();
const KEEP_DOCUMENTS = 4;

function pdfjs() {
  if (!library) {
    library = import(`${BASE}pdf.min.mjs`).then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = `${BASE}pdf.worker.min.mjs`;
      return lib;
    });
    // A failed load (e.g. pdf.js not installed) may be retried later.
    library.catch(() => { library = undefined; });
  }
  return library;
}

function open(lib, url) {
  let doc = documents.get(url);
  if (!doc) {
    doc = lib.getDocument({
      url,
      withCredentials: true,
      isEvalSupported: false,
      enableXfa: false,
      cMapUrl: `${BASE}cmaps/`,
      cMapPacked: true,
      standardFontDataUrl: `${BASE}standard_fonts/`,
      wasmUrl: `${BASE}wasm/`,
      iccUrl: `${BASE}iccs/`,
    }).promise;
    documents.set(url, doc);
    doc.catch(() => documents.delete(url));
    if (documents.size > KEEP_DOCUMENTS) {
      const oldest = documents.keys().next().value;
      const evicted = documents.get(oldest);
      documents.delete(oldest);
      evicted.then((d) => d.destroy()).catch(() => {});
    }
  }
  return doc;
}

// Draws page `page` (clamped to the document) of the PDF at `url` to fit the
// canvas's container; resolves to the number of pages, or 0 when a newer call
// on the same canvas took over (the newest request always wins, whichever
// page loads first).
export async function renderPdfPage(canvas, url, page) {
  const generation = (canvas.pingyiGeneration || 0) + 1;
  canvas.pingyiGeneration = generation;
  const superseded = () => canvas.pingyiGeneration !== generation;
  const lib = await pdfjs();
  const pdf = await open(lib, url);
  const number = Math.min(Math.max(1, page), pdf.numPages);
  const pdfPage = await pdf.getPage(number);
  if (superseded()) return 0;
  if (canvas.pingyiTask) {
    canvas.pingyiTask.cancel();
  }
  const width = (canvas.parentElement && canvas.parentElement.clientWidth) || 800;
  const natural = pdfPage.getViewport({ scale: 1 });
  const scale = Math.min(2, Math.max(0.3, width / natural.width));
  const ratio = window.devicePixelRatio || 1;
  const viewport = pdfPage.getViewport({ scale: scale * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  // Height follows the width (the canvas keeps its ratio when CSS narrows it).
  canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
  const task = pdfPage.render({ canvasContext: canvas.getContext('2d'), viewport });
  canvas.pingyiTask = task;
  try {
    await task.promise;
  } catch (e) {
    if (e && e.name === 'RenderingCancelledException') return 0;
    throw e;
  } finally {
    if (canvas.pingyiTask === task) canvas.pingyiTask = undefined;
  }
  return pdf.numPages;
}
