// Draws kgan's aging-faces data with facesjs (https://github.com/zengm-games/facesjs).
//
// Run by kgan/data/aging_faces.py as `node aging_faces.mjs`. stdin holds one
// JSON job:
//   {"facesjs_dir": "<the facesjs package directory>",
//    "identities": [{"id": 7, "seed": 123456, "gender": "male"}, ...],
//    "age_groups": [0, 1, ..., 9]}
// stdout gets one JSON line per identity and age group, identity-major:
//   {"id": 7, "age_group": 0, "race": "white", "svg": "<svg ...>"}
//
// facesjs draws with Math.random; it is replaced by a seeded mulberry32, so a
// seed gives the same face on every machine. The identity (the face facesjs
// generates from the seed, plus a few traits drawn next from the same stream)
// fixes the person; the age group then overrides the age-linked features
// (see AGE below), the same way for everyone.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const RACES = ["white", "black", "brown", "asian"];
const VIEW_BOX = "-25 70 450 450"; // a square around the head of the 400x600 figure
const FIGURE_PIVOT = [200, 520]; // children are drawn smaller around the chin
const LINE_COLOR = "#3b2314";

// Per age group 0..9 ("0-5" ... "71+"). Children: a smaller figure, a rounder
// face, bigger eyes set lower, a smaller nose, mouth and ears, rosy cheeks.
// Adults: lines that appear and deepen, grey hair, receding hair for men who
// go bald, reading glasses.
const AGE = [
  // scale: figure; round: pull of fatness toward 1; eye: size; drop: eyes down;
  // nose/mouth/ear: size factors; blush: cheek opacity; lines: stroke width.
  { scale: 0.74, round: 0.8, eye: 1.3, drop: 22, nose: 0.55, mouth: 0.75, ear: 0.8, blush: 0.55, lines: 0 },
  { scale: 0.82, round: 0.55, eye: 1.2, drop: 14, nose: 0.7, mouth: 0.85, ear: 0.85, blush: 0.35, lines: 0 },
  { scale: 0.9, round: 0.3, eye: 1.1, drop: 7, nose: 0.85, mouth: 0.92, ear: 0.92, blush: 0.15, lines: 0 },
  { scale: 0.96, round: 0.1, eye: 1.03, drop: 2, nose: 0.95, mouth: 1, ear: 0.97, blush: 0, lines: 0 },
  { scale: 1, round: 0, eye: 1, drop: 0, nose: 1, mouth: 1, ear: 1, blush: 0, lines: 0 },
  { scale: 1, round: 0, eye: 1, drop: 0, nose: 1, mouth: 1, ear: 1, blush: 0, lines: 3.5 },
  { scale: 1, round: 0, eye: 1, drop: 0, nose: 1.03, mouth: 1, ear: 1.02, blush: 0, lines: 4.5 },
  { scale: 1, round: 0, eye: 0.98, drop: 0, nose: 1.06, mouth: 1, ear: 1.05, blush: 0, lines: 5.5 },
  { scale: 1, round: 0, eye: 0.96, drop: 0, nose: 1.09, mouth: 1, ear: 1.08, blush: 0, lines: 6.5 },
  { scale: 1, round: 0, eye: 0.94, drop: 0, nose: 1.12, mouth: 1, ear: 1.1, blush: 0, lines: 7.5 },
];
// Which lines each adult group draws (facesjs ids), cumulative with age.
const EYE_LINES = [[], [], [], [], [], ["line4"], ["line4", "line2"], ["line3", "line2"], ["line3", "line2", "line5"], ["line3", "line2", "line5", "line6"]];
const MISC_LINES = [[], [], [], [], [], [], ["forehead3"], ["forehead2"], ["forehead5"], ["forehead5", "chin1"]];
const SMILE_SIZE = [0, 0, 0, 0, 0, 0.8, 1.2, 1.6, 2, 2.3];
// Share of grey in the hair, before the identity's greying rate.
const GREY = [0, 0, 0, 0, 0, 0.15, 0.38, 0.62, 0.85, 1];

function mulberry32(seed) {
  let a = seed >>> 0;
  return function random() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hexToRgb(hex) {
  const value = hex.replace("#", "");
  const full = value.length === 3 ? value.split("").map((c) => c + c).join("") : value;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
}

function rgbToHex(rgb) {
  return "#" + rgb.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, "0")).join("");
}

function mix(a, b, t) {
  const x = hexToRgb(a);
  const y = hexToRgb(b);
  return rgbToHex(x.map((v, i) => v + (y[i] - v) * t));
}

// Hair greys through a cool silver to white.
function greyHair(color, amount) {
  if (amount <= 0) return color;
  const silver = "#9b9b9b";
  const white = "#e6e6e6";
  if (amount <= 0.6) return mix(color, silver, amount / 0.6);
  return mix(silver, white, (amount - 0.6) / 0.4);
}

function thicken(svg, width, opacity) {
  return svg
    .replace(/stroke="#000"/g, `stroke="${LINE_COLOR}" stroke-opacity="${opacity}" stroke-linecap="round"`)
    .replace(/stroke-width="[0-9.]+"/g, `stroke-width="${width}"`);
}

function identityTraits(random, face, gender) {
  // Drawn after facesjs's own draws, from the same stream, in a fixed order.
  const traits = {};
  traits.greyRate = 0.75 + 0.5 * random();
  const hasGlasses = face.glasses.id !== "none";
  traits.glassesFrom = hasGlasses ? 2 + Math.floor(random() * 4) : random() < 0.55 ? 7 + Math.floor(random() * 3) : 99;
  const frames = ["glasses1-primary", "glasses1-secondary", "glasses2-black", "glasses2-primary", "glasses2-secondary"];
  traits.glasses = hasGlasses && face.glasses.id !== "facemask" ? face.glasses.id : frames[Math.floor(random() * frames.length)];
  traits.balding = gender === "male" && random() < 0.55;
  traits.baldFrom = 5 + Math.floor(random() * 3); // receding from 31-40, 41-50 or 51-60
  traits.smileLine = ["line1", "line2", "line3", "line4"][Math.floor(random() * 4)];
  traits.freckles = random() < 0.25;
  return traits;
}

function makeIdentity(generate, identity) {
  const random = mulberry32(identity.seed);
  Math.random = random;
  const race = RACES[Math.floor(random() * RACES.length)];
  const gender = identity.gender;
  const face = generate(undefined, { gender, race });
  const traits = identityTraits(random, face, gender);
  return { face, race, gender, traits };
}

// facesjs keeps its drawings in a mutable table; kgan's composite drawings
// are added under ids that start with "kgan-" and replaced for every face.
function register(svgs, feature, id, svg) {
  svgs[feature][id] = svg;
  return id;
}

function agedFace(svgs, person, group) {
  const { traits, gender } = person;
  const face = JSON.parse(JSON.stringify(person.face));
  const age = AGE[group];
  face.accessories.id = "none";
  face.jersey.id = "jersey";
  face.teamColors = ["#8aa2b8", "#5b7186", "#3a4b5c"];
  face.fatness = face.fatness + (1 - face.fatness) * age.round + (group >= 5 ? 0.04 * Math.min(group - 4, 3) : 0);
  face.fatness = Math.min(1, face.fatness);
  face.body.size = face.body.size * (0.8 + 0.2 * age.scale);
  face.ear.size = face.ear.size * age.ear;
  face.nose.size = face.nose.size * age.nose;
  face.mouth.size = age.mouth;
  // Eyes (and brows a little) bigger and lower in a child's face.
  const eyeId = face.eye.id;
  face.eye.id = register(svgs, "eye", "kgan-eye", `<g transform="translate(0 ${age.drop})">${svgs.eye[eyeId]}</g>`);
  face.eye.size = age.eye;
  const browId = face.eyebrow.id;
  face.eyebrow.id = register(svgs, "eyebrow", "kgan-eyebrow", `<g transform="translate(0 ${age.drop * 0.8})">${svgs.eyebrow[browId]}</g>`);
  // Lines.
  const width = age.lines;
  const opacity = Math.min(0.95, 0.45 + 0.07 * width);
  const eyeLines = EYE_LINES[group].map((id) => thicken(svgs.eyeLine[id], width, opacity)).join("");
  face.eyeLine.id = register(svgs, "eyeLine", "kgan-eyeLine", eyeLines);
  if (SMILE_SIZE[group] > 0) {
    face.smileLine.id = register(svgs, "smileLine", "kgan-smileLine", thicken(svgs.smileLine[traits.smileLine], width / SMILE_SIZE[group], opacity));
    face.smileLine.size = SMILE_SIZE[group];
  } else {
    face.smileLine.id = "none";
  }
  let misc = MISC_LINES[group].map((id) => thicken(svgs.miscLine[id], width, opacity)).join("");
  if (age.blush > 0) {
    misc += `<g opacity="${age.blush}">${svgs.miscLine.blush}</g>`;
  }
  if (traits.freckles && group >= 1 && group <= 4) {
    misc += svgs.miscLine.freckles1;
  }
  face.miscLine.id = register(svgs, "miscLine", "kgan-miscLine", misc);
  // Hair: grey with age; men who go bald recede, then keep a horseshoe.
  face.hair.color = greyHair(face.hair.color, Math.min(1, GREY[group] * traits.greyRate));
  let clip = "";
  if (traits.balding && group >= traits.baldFrom) {
    const stage = group - traits.baldFrom;
    if (stage >= 2) {
      face.hair.id = "short-bald";
      face.hairBg.id = "none";
    } else {
      const rx = 70 + 30 * stage;
      const ry = 60 + 25 * stage;
      clip = `<clipPath id="kgan-recede"><path clip-rule="evenodd" d="M-100 -100H500V700H-100Z M${200 - rx} 95a${rx} ${ry} 0 1 0 ${2 * rx} 0a${rx} ${ry} 0 1 0 ${-2 * rx} 0Z"/></clipPath>`;
      face.hair.id = register(svgs, "hair", "kgan-hair", `<g clip-path="url(#kgan-recede)">${svgs.hair[face.hair.id]}</g>`);
    }
  }
  if (group < 3) {
    face.head.shave = "rgba(0,0,0,0)";
  }
  // Facial hair (men only): the identity's own style, sparse at 16-20.
  if (gender !== "male" || group < 3) {
    face.facialHair.id = "none";
  } else if (group === 3) {
    const style = svgs.facialHair[face.facialHair.id];
    face.facialHair.id = register(svgs, "facialHair", "kgan-facialHair", `<g opacity="0.45">${style}</g>`);
  }
  face.glasses.id = group >= traits.glassesFrom ? traits.glasses : "none";
  return { face, clip };
}

function finish(svg, group, clip) {
  const scale = AGE[group].scale;
  const body = svg.replace(/^<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "");
  const [px, py] = FIGURE_PIVOT;
  const transform = scale === 1 ? "" : ` transform="translate(${px} ${py}) scale(${scale}) translate(${-px} ${-py})"`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${VIEW_BOX}" width="450" height="450">` +
    (clip ? `<defs>${clip}</defs>` : "") +
    `<g${transform}>${body}</g></svg>`
  );
}

async function main() {
  const job = JSON.parse(fs.readFileSync(0, "utf8"));
  const entry = pathToFileURL(path.join(job.facesjs_dir, "build", "index.js")).href;
  const facesjs = await import(entry);
  const { generate, faceToSvgString, svgs } = facesjs;
  const lines = [];
  for (const identity of job.identities) {
    const person = makeIdentity(generate, identity);
    for (const group of job.age_groups) {
      const { face, clip } = agedFace(svgs, person, group);
      Math.random = () => {
        throw new Error("facesjs drew a random number while drawing a face");
      };
      const svg = finish(faceToSvgString(face), group, clip);
      lines.push(JSON.stringify({ id: identity.id, age_group: group, race: person.race, svg }));
    }
  }
  process.stdout.write(lines.join("\n") + (lines.length ? "\n" : ""));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
